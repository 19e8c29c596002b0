#include <catch2/catch.hpp>

#include <map>

#include "collector_test_support.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/database.hpp"

using namespace vctp::test;
using vctp::store::open_database;

namespace {

std::string host_of(const std::string& url) {
  const auto start = url.find("://") + 3;
  return url.substr(start, url.find('/', start) - start);
}

}  // namespace

TEST_CASE("collector --once: the snapshot equals the simulator's own dump", "[collector]") {
  VcsimOptions options;
  options.clusters = 2;
  options.vms = 6;
  options.pools = 1;
  options.random_sizes_seed = 42;
  VcsimProcess vcsim(options);
  TempDir dir;
  const auto settings = write_collector_settings(dir, {vcsim.sdk_url()}, "pass");

  const auto result = run_collector_once(settings, "2026-11-24T13:20:00Z");
  INFO(result.output);
  REQUIRE(result.status == 0);

  auto db = open_database("sqlite", (dir / "db.sqlite3").string());
  const auto dump = vcsim.dump();
  const auto rows = db->query(
      "SELECT name, instance_uuid, bios_uuid, vcpu_count, ram_mb, power_state, resource_pool, cluster, host, "
      "datacenter, vcenter, vcenter_uuid, snapshot_time FROM snap_hourly_2026112413");
  REQUIRE(rows.size() == dump.at("vms").size());
  REQUIRE(rows.size() > 10);

  std::map<std::string, const vctp::store::Row*> by_uuid;
  for (const auto& row : rows) by_uuid[row.get_text("instance_uuid")] = &row;
  std::int64_t dump_cpus = 0, dump_ram = 0, db_cpus = 0, db_ram = 0;
  for (const auto& vm : dump.at("vms")) {
    const std::string uuid = vm.at("instance_uuid");
    INFO(vm.dump());
    REQUIRE(by_uuid.count(uuid) == 1);
    const auto& row = *by_uuid.at(uuid);
    CHECK(row.get_text("name") == vm.at("name").get<std::string>());
    CHECK(row.get_text("bios_uuid") == vm.at("bios_uuid").get<std::string>());
    CHECK(row.get_int("vcpu_count") == vm.at("cpus").get<std::int64_t>());
    CHECK(row.get_int("ram_mb") == vm.at("memory_mb").get<std::int64_t>());
    CHECK(row.get_text("power_state") == vm.at("power_state").get<std::string>());
    CHECK(row.get_text("resource_pool") == vm.at("resource_pool").get<std::string>());
    CHECK(row.get_text("cluster") == vm.at("cluster").get<std::string>());
    CHECK(row.get_text("datacenter") == vm.at("datacenter").get<std::string>());
    CHECK(row.get_text("vcenter_uuid") == dump.at("vcenter_uuid").get<std::string>());
    CHECK(row.get_text("vcenter") == host_of(vcsim.sdk_url()));
    CHECK(row.get_text("snapshot_time").rfind("2026-11-24T13:00:00", 0) == 0);
    dump_cpus += vm.at("cpus").get<std::int64_t>();
    dump_ram += vm.at("memory_mb").get<std::int64_t>();
  }
  for (const auto& row : rows) {
    db_cpus += row.get_int("vcpu_count");
    db_ram += row.get_int("ram_mb");
  }
  CHECK(db_cpus == dump_cpus);
  CHECK(db_ram == dump_ram);

  const auto hosts = db->query("SELECT COUNT(*) AS n FROM snap_hosts_2026112413");
  CHECK(hosts[0].get_int("n") == static_cast<std::int64_t>(dump.at("hosts").size()));
  CHECK(registry_status(*db, "snap_hourly_2026112413") == std::map<std::string, std::string>{{host_of(vcsim.sdk_url()), "ok"}});
  const auto inventory = db->query("SELECT COUNT(*) AS n FROM inventory WHERE deletion_time IS NULL");
  CHECK(inventory[0].get_int("n") == static_cast<std::int64_t>(rows.size()));

  // The same hour again replaces, never duplicates.
  REQUIRE(run_collector_once(settings, "2026-11-24T13:59:59Z").status == 0);
  CHECK(db->query("SELECT COUNT(*) AS n FROM snap_hourly_2026112413")[0].get_int("n") ==
        static_cast<std::int64_t>(rows.size()));
}

TEST_CASE("collector --once: 10,000 VMs read in pages of 1,000 give the simulator's count and totals", "[collector]") {
  VcsimOptions options;
  options.clusters = 10;
  options.vms = 1000;
  options.hosts = 0;
  options.random_sizes_seed = 7;
  options.max_objects = 1000;  // whatever the collector asks for
  VcsimProcess vcsim(options);
  TempDir dir;
  const auto settings = write_collector_settings(dir, {vcsim.sdk_url()}, "pass", "  log_level: warn\n");

  const auto result = run_collector_once(settings, "2026-11-24T11:20:00Z");
  INFO(result.output);
  REQUIRE(result.status == 0);

  const auto dump = vcsim.dump();
  REQUIRE(dump.at("vms").size() == 10000);
  std::int64_t dump_cpus = 0, dump_ram = 0;
  for (const auto& vm : dump.at("vms")) {
    dump_cpus += vm.at("cpus").get<std::int64_t>();
    dump_ram += vm.at("memory_mb").get<std::int64_t>();
  }
  REQUIRE(dump_cpus == dump.at("total_cpus").get<std::int64_t>());
  REQUIRE(dump_ram == dump.at("total_memory_mb").get<std::int64_t>());
  REQUIRE(dump_cpus > 2 * 10000);  // sizes drawn from the seed, not all 1 vCPU

  auto db = open_database("sqlite", (dir / "db.sqlite3").string());
  const auto totals = db->query(
      "SELECT COUNT(*) AS n, COUNT(DISTINCT instance_uuid) AS uuids, SUM(vcpu_count) AS cpus, SUM(ram_mb) AS ram "
      "FROM snap_hourly_2026112411");
  CHECK(totals[0].get_int("n") == 10000);
  CHECK(totals[0].get_int("uuids") == 10000);
  CHECK(totals[0].get_int("cpus") == dump_cpus);
  CHECK(totals[0].get_int("ram") == dump_ram);
  CHECK(registry_status(*db, "snap_hourly_2026112411") ==
        std::map<std::string, std::string>{{host_of(vcsim.sdk_url()), "ok"}});

  // The rows came in more than ten pages, and every page was read.
  const auto stats = vcsim.stats();
  INFO(stats.dump());
  CHECK(stats.at("calls").value("ContinueRetrievePropertiesEx", 0) >= 10);
  CHECK(stats.at("open_tokens").get<int>() == 0);
}

TEST_CASE("collector --once: wrong credentials fail one vCenter, the other succeeds", "[collector]") {
  VcsimProcess good;
  VcsimOptions bad_options;
  bad_options.password = "another";
  VcsimProcess bad(bad_options);
  TempDir dir;
  const auto settings = write_collector_settings(dir, {good.sdk_url(), bad.sdk_url()}, "pass");

  const auto result = run_collector_once(settings, "2026-11-24T14:00:00Z");
  INFO(result.output);
  CHECK(result.status == 1);
  CHECK_THAT(result.output, Catch::Contains("InvalidLogin") || Catch::Contains("invalid_login") ||
                                Catch::Contains("Login failure"));
  auto db = open_database("sqlite", (dir / "db.sqlite3").string());
  const auto status = registry_status(*db, "snap_hourly_2026112414");
  CHECK(status.at(host_of(good.sdk_url())) == "ok");
  CHECK(status.at(host_of(bad.sdk_url())) == "failed");
  const auto rows = db->query("SELECT vcenter, COUNT(*) AS n FROM snap_hourly_2026112414 GROUP BY vcenter");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].get_text("vcenter") == host_of(good.sdk_url()));
  CHECK(rows[0].get_int("n") == static_cast<std::int64_t>(good.dump().at("vms").size()));
}

TEST_CASE("collector --once: a self-signed vCenter is refused unless vcenter_insecure", "[collector]") {
  VcsimOptions options;
  options.tls = true;
  VcsimProcess vcsim(options);
  REQUIRE(vcsim.sdk_url().rfind("https://", 0) == 0);
  TempDir dir;
  auto settings = write_collector_settings(dir, {vcsim.sdk_url()}, "pass");
  const auto refused = run_collector_once(settings, "2026-11-24T15:00:00Z");
  INFO(refused.output);
  CHECK(refused.status == 1);
  auto db = open_database("sqlite", (dir / "db.sqlite3").string());
  CHECK(registry_status(*db, "snap_hourly_2026112415").at(host_of(vcsim.sdk_url())) == "failed");

  TempDir dir2;
  settings = write_collector_settings(dir2, {vcsim.sdk_url()}, "pass", "  vcenter_insecure: true\n");
  const auto accepted = run_collector_once(settings, "2026-11-24T15:00:00Z");
  INFO(accepted.output);
  CHECK(accepted.status == 0);
}

TEST_CASE("collector --once: the plaintext password is encrypted in place and still works", "[collector]") {
  VcsimOptions options;
  options.password = "s3cret pass";
  VcsimProcess vcsim(options);
  TempDir dir;
  const auto settings = write_collector_settings(dir, {vcsim.sdk_url()}, "s3cret pass");
  REQUIRE(run_collector_once(settings, "2026-11-24T16:00:00Z").status == 0);
  const std::string text = read_file(settings);
  CHECK_THAT(text, !Catch::Contains("s3cret pass"));
  CHECK_THAT(text, Catch::Contains("vcenter_password: \"enc:"));
  CHECK(std::filesystem::exists(dir / "vctp-secret.key"));
  // A restart reads the encrypted value.
  const auto again = run_collector_once(settings, "2026-11-24T17:00:00Z");
  INFO(again.output);
  CHECK(again.status == 0);
  CHECK(read_file(settings) == text);
}

TEST_CASE("collector --once: a vCenter dying mid-response leaves no registered table", "[collector]") {
  VcsimOptions options;
  options.vms = 50;
  VcsimProcess vcsim(options);
  vcsim.control("/fault/exit-mid-body", {{"method", "RetrievePropertiesEx"}});
  TempDir dir;
  const auto settings = write_collector_settings(dir, {vcsim.sdk_url()}, "pass");
  const auto result = run_collector_once(settings, "2026-11-24T18:00:00Z");
  INFO(result.output);
  CHECK(result.status == 1);
  auto db = open_database("sqlite", (dir / "db.sqlite3").string());
  CHECK(registry_status(*db, "snap_hourly_2026112418").at(host_of(vcsim.sdk_url())) == "failed");
  const auto ok = db->query("SELECT COUNT(*) AS n FROM snapshot_registry WHERE status = 'ok'");
  CHECK(ok[0].get_int("n") == 0);
  if (db->table_exists("snap_hourly_2026112418")) {
    CHECK(db->query("SELECT COUNT(*) AS n FROM snap_hourly_2026112418")[0].get_int("n") == 0);
  }
}

TEST_CASE("collector --once: events read before their VM was first seen get its instance UUID", "[collector]") {
  VcsimProcess vcsim;
  TempDir dir;
  const auto settings = write_collector_settings(dir, {vcsim.sdk_url()}, "pass");

  // The first run reads the creation events of every VM before its inventory exists.
  const auto first = run_collector_once(settings, "2026-11-24T19:00:00Z");
  INFO(first.output);
  REQUIRE(first.status == 0);
  auto db = open_database("sqlite", (dir / "db.sqlite3").string());
  const auto initial = db->query(
      "SELECT COUNT(*) AS n FROM vm_events e JOIN inventory i ON i.vcenter_uuid = e.vcenter_uuid AND "
      "i.vm_id = e.vm_id AND i.instance_uuid = e.instance_uuid");
  CHECK(initial[0].get_int("n") >= static_cast<std::int64_t>(vcsim.dump().at("vms").size()));
  CHECK(db->query("SELECT event_key FROM vm_events WHERE instance_uuid IS NULL AND vm_id IN "
                  "(SELECT vm_id FROM inventory)").empty());

  // A VM created between two snapshots: its events are read (poll) before it is seen (snapshot).
  const auto created = vcsim.control("/vm/create", {{"name", "created-between-snapshots"}, {"power_on", true}});
  const std::string moref = created.at("moref");
  const std::string uuid = created.at("instance_uuid");
  REQUIRE_FALSE(uuid.empty());
  const auto second = run_collector_once(settings, "2026-11-24T20:00:00Z");
  INFO(second.output);
  REQUIRE(second.status == 0);
  const auto events = db->query("SELECT event_type, instance_uuid FROM vm_events WHERE vm_id = $1", {moref});
  std::map<std::string, int> types;
  for (const auto& row : events) {
    INFO(row.get_text("event_type"));
    REQUIRE_FALSE(row.is_null("instance_uuid"));
    CHECK(row.get_text("instance_uuid") == uuid);
    ++types[row.get_text("event_type")];
  }
  CHECK(types["VmCreatedEvent"] == 1);
  CHECK(types["VmPoweredOnEvent"] == 1);
}

TEST_CASE("collector --once: bad options exit 2", "[collector]") {
  CHECK(run_command(collector_binary() + " --once --at yesterday").status == 2);
  CHECK(run_command(collector_binary() + " --at 2026-11-24T13:00:00Z").status == 2);
}

TEST_CASE("collector --once: a time in the future is refused and writes no table", "[collector]") {
  VcsimProcess vcsim;
  TempDir dir;
  const auto settings = write_collector_settings(dir, {vcsim.sdk_url()}, "pass");

  const auto result = run_collector_once(settings, "2199-06-01T10:00:00Z");
  INFO(result.output);
  CHECK(result.status == 2);
  CHECK(result.output.find("2199-06-01T10:00:00Z") != std::string::npos);  // says which time it refused
  if (std::filesystem::exists(dir / "db.sqlite3")) {
    auto db = open_database("sqlite", (dir / "db.sqlite3").string());
    CHECK(db->query("SELECT name FROM sqlite_master WHERE name LIKE 'snap_%2199%'").empty());
  }

  // A time a minute ahead (clock skew) is still taken.
  const auto soon = vctp::core::format_iso8601(std::chrono::system_clock::now() + std::chrono::minutes(1));
  const auto ok = run_collector_once(settings, soon);
  INFO(ok.output);
  CHECK(ok.status == 0);
}

// Issue 12's fault suite, outages of what the collector depends on: PostgreSQL stopped in the
// middle of a snapshot write, one of three vCenters down for three hours, and a vCenter killed in
// the middle of a paged retrieval. Each scenario runs the real binaries and checks the database
// against the simulator's own truth: no half table, the failure visible, the hour taken once.
#include <catch2/catch.hpp>

#include <csignal>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e_suite.hpp"
#include "nats_server.hpp"
#include "postgres_server.hpp"
#include "test_support.hpp"
#include "vcsim_process.hpp"

using namespace vctp::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// The collector's label of a simulator (host:port of its SDK URL).
std::string label_of(const VcsimProcess& vcsim) {
  const std::string url = vcsim.sdk_url();  // http://127.0.0.1:PORT/sdk
  const auto start = url.find("//") + 2;
  return url.substr(start, url.find('/', start) - start);
}

/// snapshot_registry rows of one hourly table: vcenter -> (status, row_count).
std::map<std::string, std::pair<std::string, std::int64_t>> hourly_status(vctp::store::Database& db,
                                                                          const std::string& table) {
  std::map<std::string, std::pair<std::string, std::int64_t>> out;
  for (const auto& row : db.query("SELECT COALESCE(vcenter, '') AS vcenter, status, row_count FROM snapshot_registry "
                                  "WHERE kind = 'hourly' AND table_name = $1",
                                  {table})) {
    out[row.get_text("vcenter")] = {row.get_text("status"), row.get_int("row_count")};
  }
  return out;
}

/// Rows of `vcenter` in hourly table `table`, 0 when the table does not exist.
std::int64_t rows_of(vctp::store::Database& db, const std::string& table, const std::string& vcenter) {
  if (!db.table_exists(table)) return 0;
  return db.query("SELECT COUNT(*) FROM " + table + " WHERE vcenter = $1", {vcenter})[0].get_int(0);
}

/// "snap_hourly_2026112405" for "2026-11-24" and hour 5.
std::string hourly_table(const std::string& day, int hour) {
  std::string compact = day;
  compact.erase(std::remove(compact.begin(), compact.end(), '-'), compact.end());
  char hh[8];
  std::snprintf(hh, sizeof hh, "%02d", hour);
  return "snap_hourly_" + compact + hh;
}

/// The value of a Prometheus series `name{labels}` in `text`, or -1 when absent.
double metric_value(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

/// The collector's /metrics (plain HTTP on the port its log names).
std::string collector_metrics(E2eSuite& suite, const std::string& key) {
  const int port = logged_port(suite.dir() / (key + ".1.log"), kMetricsListening, suite.process(key), 30s);
  return http_request("http://127.0.0.1:" + std::to_string(port) + "/metrics", "GET", "").second;
}

bool log_has(const E2eSuite& suite, const std::string& file, const std::string& text) {
  const auto path = suite.dir() / file;
  return std::filesystem::exists(path) && read_file(path).find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("e2e outage: the simulator killed in the middle of a paged retrieval leaves no half table", "[e2e]") {
  vctp::bus::test::NatsServer nats;
  VcsimOptions vo;
  vo.vms = 10;
  vo.max_objects = 2;  // many ContinueRetrievePropertiesEx pages
  VcsimProcess vcsim{vo};
  const auto vm_count = static_cast<std::int64_t>(vcsim.dump().at("vms").size());
  REQUIRE(vm_count >= 20);
  // Each further page waits, so the retrieval is still under way when the simulator dies.
  vcsim.control("/fault/delay", {{"method", "ContinueRetrievePropertiesEx"}, {"ms", 200}});
  E2eOptions options;
  options.nats_url = nats.url();
  options.vcenters = {vcsim.sdk_url()};
  options.services = {};
  E2eSuite suite{options};
  const std::string label = label_of(vcsim);
  const std::string at = hour_of("2026-11-24", 7);
  const std::string table = hourly_table("2026-11-24", 7);

  ChildProcess collector(
      {binary_dir().string() + "/bin/vctp-collector", "--once", "--at", at, "-settings", suite.settings().string()},
      suite.dir() / "once.1.log");
  REQUIRE(eventually([&] { return vcsim.calls("ContinueRetrievePropertiesEx") > 0; }, 60s));
  vcsim.kill();
  const auto status = collector.wait_for_exit(120s);
  INFO(read_file(suite.dir() / "once.1.log"));
  REQUIRE(status.has_value());
  CHECK(*status == 1);  // the vCenter's snapshot failed

  {
    auto db = suite.open_database();
    const auto registered = hourly_status(*db, table);
    // The failure is registered, nothing is registered complete, and no row of it is visible.
    REQUIRE(registered.count(label) == 1);
    CHECK(registered.at(label).first == "failed");
    CHECK(registered.at(label).second == 0);
    CHECK(rows_of(*db, table, label) == 0);
  }

  // The vCenter is back at the same address; the next try takes the whole inventory once.
  vcsim.restart();
  const auto again = suite.collect_once(at);
  INFO(again.output);
  REQUIRE(again.status == 0);
  auto db = suite.open_database();
  const auto entries = registry_entries(*db, "hourly");
  CHECK(entries.size() == 1);
  CHECK(entries.count({table, label}) == 1);
  CHECK(entries.at({table, label}) == 1);
  const auto registered = hourly_status(*db, table);
  CHECK(registered.at(label).first == "ok");
  CHECK(registered.at(label).second == vm_count);
  CHECK(rows_of(*db, table, label) == vm_count);
}

TEST_CASE("e2e outage: one of three vCenters down for three hours", "[e2e]") {
  vctp::bus::test::NatsServer nats;
  const auto simulator = [](const std::string& uuid) {
    VcsimOptions vo;
    vo.random_sizes_seed = 3;
    vo.vcenter_uuid = uuid;
    return vo;
  };
  VcsimProcess a{simulator("0000000a-0000-4000-8000-000000000001")};
  VcsimProcess b{simulator("0000000b-0000-4000-8000-000000000002")};
  VcsimProcess c{simulator("0000000c-0000-4000-8000-000000000003")};
  E2eOptions options;
  options.nats_url = nats.url();
  options.vcenters = {a.sdk_url(), b.sdk_url(), c.sdk_url()};
  options.services = {"collector", "aggregator", "gateway"};
  // The service's own schedule stays out of the way (it fires at midnight only); its jobs come
  // from POST /api/snapshots/run.
  options.extra_settings =
      "  vcenter_inventory_snapshot_seconds: 86400\n  vcenter_event_polling_seconds: 0\n"
      "  vcenter_inventory_polling_seconds: 0\n";
  E2eSuite suite{options};
  REQUIRE(eventually([&] { return http_call("GET", suite.url("/api/ready")).status == 200; }, 30s));
  const std::string down = label_of(c);
  const std::string failures = "vctp_vcenter_connect_failures_total{vcenter=\"" + down + "\"}";
  const std::string day = "2026-11-24";

  for (int hour = 0; hour < 24; ++hour) {
    INFO("hour " << hour);
    if (hour == 10) c.terminate();
    if (hour == 13) c.restart();
    const bool is_down = hour >= 10 && hour <= 12;
    const auto r = suite.collect_once(hour_of(day, hour));
    INFO(r.output);
    REQUIRE(r.status == (is_down ? 1 : 0));
    if (is_down) {
      // The running collector tries the vCenter too, and counts the failed connection.
      const auto posted = suite.post_json("/api/snapshots/run", json{{"vcenter", down}}.dump());
      INFO(posted.body);
      REQUIRE(posted.status == 202);
      REQUIRE(
          eventually([&] { return metric_value(collector_metrics(suite, "collector#0"), failures) >= hour - 9; }, 60s));
    }
    if (hour == 12) {
      // Where an operator looks: the gateway's vCenters show the down one failing.
      const auto vcenters = suite.get_json("/api/vcenters");
      INFO(vcenters.dump());
      bool seen = false;
      for (const auto& v : vcenters.at("vcenters")) {
        if (v.at("vcenter") != down) continue;
        seen = true;
        CHECK(v.at("last_snapshot_status") == "failed");
        CHECK(v.at("last_error").is_string());
      }
      CHECK(seen);
    }
  }
  INFO(suite.logs());
  CHECK(metric_value(collector_metrics(suite, "collector#0"), failures) == 3);

  auto db = suite.open_database();
  for (int hour = 0; hour < 24; ++hour) {
    INFO("hour " << hour);
    const auto registered = hourly_status(*db, hourly_table(day, hour));
    REQUIRE(registered.size() == 3);
    for (const auto* vcsim : {&a, &b, &c}) {
      const auto label = label_of(*vcsim);
      const bool failed = vcsim == &c && hour >= 10 && hour <= 12;
      CHECK(registered.at(label).first == (failed ? "failed" : "ok"));
      CHECK(registered.at(label).second == (failed ? 0 : static_cast<std::int64_t>(vcsim->dump().at("vms").size())));
    }
  }

  // The day's summary shows the gap: 21 of 24 samples for the down vCenter's VMs, 24 for the others.
  const auto vms_per_vcenter = a.dump().at("vms").size();
  json summary;
  REQUIRE(eventually(
      [&] {
        summary = suite.get_json("/api/summaries/daily/" + day);
        return summary.is_object() && summary.contains("rows") && summary.at("rows").size() == 3 * vms_per_vcenter;
      },
      60s));
  INFO(summary.dump());
  for (const auto& row : summary.at("rows")) {
    INFO(row.dump());
    const bool gap = row.at("vcenter") == down;
    CHECK(row.at("samples_seen").get<int>() == (gap ? 21 : 24));
    CHECK(row.at("samples_expected").get<int>() == 24);
    // The VMs were there all day: the collector's gap does not bill them less.
    CHECK(row.at("presence").get<double>() == Approx(1.0));
  }
}

TEST_CASE("e2e outage: PostgreSQL stopped in the middle of a snapshot write", "[e2e]") {
  PostgresServer pg;
  vctp::bus::test::NatsServer nats;
  VcsimOptions vo;
  vo.vms = 5;
  VcsimProcess vcsim{vo};
  const auto vm_count = static_cast<std::int64_t>(vcsim.dump().at("vms").size());
  E2eOptions options;
  options.nats_url = nats.url();
  options.database_driver = "postgres";
  options.database_url = pg.dsn();
  options.vcenters = {vcsim.sdk_url()};
  options.services = {"collector", "gateway"};
  options.extra_settings =
      "  vcenter_inventory_snapshot_seconds: 86400\n  vcenter_event_polling_seconds: 0\n"
      "  vcenter_inventory_polling_seconds: 0\n";
  E2eSuite suite{options};
  REQUIRE(eventually([&] { return http_call("GET", suite.url("/api/ready")).status == 200; }, 30s));
  const std::string label = label_of(vcsim);

  // A session of the test's own holds snapshot_registry, so the collector's write stops after its
  // rows, at the registration, with its transaction open: the middle of the write.
  ChildProcess holder({"/bin/sh", "-c",
                       pg.psql_command() + " -c 'BEGIN; LOCK TABLE snapshot_registry IN ACCESS EXCLUSIVE MODE; "
                                           "SELECT pg_sleep(600);'"},
                      suite.dir() / "holder.log");
  auto watcher = suite.open_database();
  const auto waiting = [&](const std::string& what) {
    return watcher
        ->query("SELECT COUNT(*) FROM pg_stat_activity WHERE " + what + " AND query NOT LIKE '%pg_stat_activity%'")[0]
        .get_int(0);
  };
  REQUIRE(eventually([&] { return waiting("query LIKE '%LOCK TABLE snapshot_registry%'") == 1; }, 30s));

  const auto posted = suite.post_json("/api/snapshots/run", json{{"vcenter", label}}.dump());
  INFO(posted.body);
  REQUIRE(posted.status == 202);
  REQUIRE(
      eventually([&] { return waiting("wait_event_type = 'Lock' AND query LIKE '%snapshot_registry%'") == 1; }, 60s));
  watcher.reset();

  pg.stop("immediate");
  REQUIRE(eventually([&] { return log_has(suite, "collector#0.1.log", "snapshot failed"); }, 60s));
  pg.start();
  INFO(suite.logs());
  {
    // Nothing half-written: no hourly table in the catalogue, nothing registered complete.
    auto db = suite.open_database();
    CHECK(db->list_tables("snap_hourly_*").empty());
    CHECK(db->query("SELECT COUNT(*) FROM snapshot_registry WHERE status = 'ok'")[0].get_int(0) == 0);
  }

  // The job is delivered again and takes the hour once the database is back: one table, whole.
  std::unique_ptr<vctp::store::Database> db;
  REQUIRE(eventually(
      [&] {
        db = suite.open_database();
        return db->query("SELECT COUNT(*) FROM snapshot_registry WHERE kind = 'hourly' AND status = 'ok'")[0].get_int(
                   0) == 1;
      },
      120s));
  const auto tables = db->list_tables("snap_hourly_*");
  REQUIRE(tables.size() == 1);
  const auto entries = registry_entries(*db, "hourly");
  CHECK(entries.size() == 1);
  CHECK(entries.at({tables[0], label}) == 1);
  CHECK(hourly_status(*db, tables[0]).at(label) == std::make_pair(std::string("ok"), vm_count));
  CHECK(rows_of(*db, tables[0], label) == vm_count);
}

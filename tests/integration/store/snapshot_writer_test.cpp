#include <catch2/catch.hpp>
#include <limits>
#include <thread>

#include "backend_db.hpp"
#include "fake_clock.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/snapshot_writer.hpp"

using namespace vctp;
using namespace std::chrono;
using store::SnapshotKind;
using store::SnapshotStatus;
using store::TableName;

namespace {

system_clock::time_point at(const char* iso) { return *core::parse_iso8601(iso); }

std::vector<store::HourlyVmRow> vms(const std::string& vcenter, int count, system_clock::time_point t) {
  std::vector<store::HourlyVmRow> rows;
  for (int i = 0; i < count; ++i) {
    store::HourlyVmRow r;
    r.snapshot_time = t;
    r.vcenter = vcenter;
    r.vcenter_uuid = "uuid-" + vcenter;
    r.vm_id = "vm-" + std::to_string(i);
    r.instance_uuid = vcenter + "-inst-" + std::to_string(i);
    r.bios_uuid = "bios-" + std::to_string(i);
    r.name = "VM \"" + std::to_string(i) + "\"\twith\\odd\nchars, 'quotes'";
    r.datacenter = "DC1";
    r.cluster = "Cluster A";
    r.host = "esx01.example.com";
    r.resource_pool = "Resources/Prod";
    r.folder = "/DC1/vm/Tenant A/App";
    r.tenant = "Tenant A";
    r.vcpu_count = 1 + i % 8;
    r.ram_mb = 1024 * (1 + i % 4);
    r.disk_gb = 40.5 + i;
    r.power_state = i % 3 == 0 ? "poweredOff" : "poweredOn";
    r.is_template = i % 10 == 9;
    r.srm_placeholder = i % 7 == 6;
    r.guest_os = "ubuntu64Guest";
    if (i % 2 == 0) r.creation_time = t - hours(24 * (i + 1));
    rows.push_back(r);
  }
  return rows;
}

std::int64_t count(store::Database& db, const std::string& sql) { return db.query(sql)[0].get_int(0); }

}  // namespace

TEST_CASE("a VM snapshot is written, registered and reads back with its public columns") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  test::FakeClock clock(at("2026-11-24T13:00:30Z"));
  store::SnapshotWriter writer(*db, clock);
  const auto t = at("2026-11-24T13:00:00Z");
  const auto table = TableName::hourly(t);
  const auto rows = vms("vc-a", 50, t);
  const auto result = writer.write_vms(table, "vc-a", rows);
  CHECK(result.rows == 50);

  const auto read = db->query("SELECT " + [] {
    std::string cols;
    for (const auto& c : store::hourly_vm_columns()) cols += (cols.empty() ? "" : ", ") + c;
    return cols;
  }() + " FROM snap_hourly_2026112413 ORDER BY vm_id");
  REQUIRE(read.size() == 50);
  CHECK(read.columns == store::hourly_vm_columns());
  // vm-0 sorts first; compare it field by field
  const auto& r = read[0];
  const auto& w = rows[0];
  CHECK(r.get_time("snapshot_time") == w.snapshot_time);
  CHECK(r.get_text("name") == w.name);
  CHECK(r.get_text("folder") == w.folder);
  CHECK(r.get_int("vcpu_count") == w.vcpu_count);
  CHECK(r.get_int("ram_mb") == w.ram_mb);
  CHECK(r.get_double("disk_gb") == w.disk_gb);
  CHECK(r.get_text("power_state") == "poweredOff");
  CHECK(r.get_bool("is_template") == w.is_template);
  CHECK(r.get_time("creation_time") == *w.creation_time);
  CHECK(read[1].is_null("creation_time"));  // vm-1
  CHECK(count(*db, "SELECT COUNT(*) FROM snap_hourly_2026112413 WHERE is_template") == 5);

  store::SnapshotRegistry registry(*db);
  const auto found = registry.find(SnapshotKind::kHourly, t, t + hours(1));
  REQUIRE(found.size() == 1);
  CHECK(found[0].table_name == "snap_hourly_2026112413");
  CHECK(found[0].vcenter == "vc-a");
  CHECK(found[0].row_count == 50);
  CHECK(found[0].created_at == clock.now());
}

TEST_CASE("vCenters share an hour's table; a retry replaces only that vCenter's rows") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::SnapshotWriter writer(*db);
  const auto t = at("2026-11-24T13:00:00Z");
  const auto table = TableName::hourly(t);
  writer.write_vms(table, "vc-a", vms("vc-a", 30, t));
  writer.write_vms(table, "vc-b", vms("vc-b", 20, t));
  writer.write_vms(table, "vc-a", vms("vc-a", 25, t));  // retry of vc-a
  CHECK(count(*db, "SELECT COUNT(*) FROM snap_hourly_2026112413 WHERE vcenter = 'vc-a'") == 25);
  CHECK(count(*db, "SELECT COUNT(*) FROM snap_hourly_2026112413 WHERE vcenter = 'vc-b'") == 20);
  store::SnapshotRegistry registry(*db);
  const auto found = registry.find(SnapshotKind::kHourly, t, t + hours(1));
  REQUIRE(found.size() == 2);
  CHECK(found[0].row_count == 25);
  CHECK(found[1].row_count == 20);

  // a whole-table write (no vCenter) drops and recreates the table and its registrations
  writer.write_vms(table, std::nullopt, vms("vc-c", 5, t));
  CHECK(count(*db, "SELECT COUNT(*) FROM snap_hourly_2026112413") == 5);
  const auto after = registry.find(SnapshotKind::kHourly, t, t + hours(1));
  REQUIRE(after.size() == 1);
  CHECK_FALSE(after[0].vcenter.has_value());

  // rows of another vCenter are refused
  CHECK_THROWS_AS(writer.write_vms(table, "vc-a", vms("vc-b", 2, t)), store::StoreError);
  CHECK(count(*db, "SELECT COUNT(*) FROM snap_hourly_2026112413") == 5);
  // a table of the wrong kind is refused
  CHECK_THROWS_AS(writer.write_vms(TableName::hosts(t), "vc-a", vms("vc-a", 1, t)), store::StoreError);
}

TEST_CASE("an error in the middle of a snapshot leaves nothing registered and no table") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::SnapshotWriter writer(*db);
  const auto t = at("2026-11-24T15:00:00Z");
  const auto table = TableName::hourly(t);
  const auto good = vms("vc-a", 1000, t);
  std::size_t i = 0;
  CHECK_THROWS_WITH(writer.write_vms(table, "vc-a",
                                     [&](store::HourlyVmRow& row) {
                                       if (i == 700) throw std::runtime_error("vCenter went away");
                                       row = good[i++];
                                       return true;
                                     }),
                    "vCenter went away");
  CHECK_FALSE(db->table_exists(table.str()));
  CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry") == 0);

  // with an earlier complete snapshot of another vCenter, that one is untouched
  writer.write_vms(table, "vc-b", vms("vc-b", 10, t));
  i = 0;
  CHECK_THROWS(writer.write_vms(table, "vc-a", [&](store::HourlyVmRow& row) {
    if (i == 700) throw std::runtime_error("vCenter went away");
    row = good[i++];
    return true;
  }));
  CHECK(count(*db, "SELECT COUNT(*) FROM " + table.str()) == 10);
  CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry") == 1);
  // a failure is recorded for the collector to see
  writer.record_failure(table, "vc-a", "vCenter went away", milliseconds(1500));
  store::SnapshotRegistry registry(*db);
  const auto found = registry.find(SnapshotKind::kHourly, t, t + hours(1));
  REQUIRE(found.size() == 2);
  CHECK(found[0].vcenter == "vc-a");
  CHECK(found[0].status == SnapshotStatus::kFailed);
  CHECK(found[0].error == "vCenter went away");
  // the retry that succeeds replaces the failure
  writer.write_vms(table, "vc-a", good);
  const auto retried = registry.find(SnapshotKind::kHourly, t, t + hours(1));
  REQUIRE(retried.size() == 2);
  CHECK(retried[0].status == SnapshotStatus::kOk);
  CHECK(retried[0].row_count == 1000);
  // ...and a later failure does not hide the complete snapshot
  writer.record_failure(table, "vc-a", "late failure", milliseconds(1));
  CHECK(registry.find(SnapshotKind::kHourly, t, t + hours(1))[0].status == SnapshotStatus::kOk);
}

TEST_CASE("host snapshots are written like VM snapshots") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::SnapshotWriter writer(*db);
  const auto t = at("2026-11-24T13:00:00Z");
  std::vector<store::HostRow> hosts;
  for (int i = 0; i < 4; ++i) {
    store::HostRow h;
    h.snapshot_time = t;
    h.vcenter = "vc-a";
    h.vcenter_uuid = "uuid-a";
    h.host_id = "host-" + std::to_string(i);
    h.name = "esx" + std::to_string(i);
    h.cluster = "Cluster A";
    h.cpu_cores = 32;
    h.ram_mb = 512 * 1024;
    h.power_state = "poweredOn";
    h.connection_state = "connected";
    h.in_maintenance = i == 3;
    hosts.push_back(h);
  }
  CHECK(writer.write_hosts(TableName::hosts(t), "vc-a", hosts).rows == 4);
  const auto rows = db->query(
      "SELECT host_id, cpu_cores, in_maintenance FROM snap_hosts_2026112413 "
      "ORDER BY host_id");
  REQUIRE(rows.size() == 4);
  CHECK(rows[3].get_bool("in_maintenance"));
  CHECK(rows[0].get_int("cpu_cores") == 32);
  store::SnapshotRegistry registry(*db);
  CHECK(registry.find(SnapshotKind::kHosts, t, t + hours(1)).size() == 1);
}

TEST_CASE("vCenters of one hour may write at the same time from several threads") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::SnapshotWriter writer(*db);
  const auto t = at("2026-11-24T13:00:00Z");
  const auto table = TableName::hourly(t);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int v = 0; v < 4; ++v) {
    threads.emplace_back([&, v] {
      try {
        const auto name = "vc-" + std::to_string(v);
        writer.write_vms(table, name, vms(name, 500, t));
      } catch (const std::exception& e) {
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CHECK(count(*db, "SELECT COUNT(*) FROM " + table.str()) == 2000);
  CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry") == 4);
}

TEST_CASE("odd values round-trip exactly through the bulk write on both backends") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::SnapshotWriter writer(*db);
  const auto t = at("2026-11-24T13:00:00Z");
  auto rows = vms("vc1", 3, t);
  rows[0].name = "tab\there, back\\slash, new\nline, cr\r, quote \" ' , comma";
  rows[0].folder = "/Zürich/ジョブ/ŝ€";
  rows[0].vcpu_count = std::numeric_limits<std::int64_t>::max();
  rows[0].ram_mb = std::numeric_limits<std::int64_t>::min();
  rows[0].disk_gb = 0.1 + 0.2;
  rows[0].creation_time = at("1970-01-01T00:00:00Z");
  rows[1].name = "";
  rows[1].disk_gb = -1.7976931348623157e308;
  rows[1].creation_time.reset();
  rows[2].disk_gb = 4.9406564584124654e-324;
  rows[2].creation_time = t + milliseconds(999);  // stored to the second
  writer.write_vms(TableName::hourly(t), "vc1", rows);
  const auto back = db->query("SELECT vm_id, name, folder, vcpu_count, ram_mb, disk_gb, creation_time, "
                              "snapshot_time FROM snap_hourly_2026112413 ORDER BY vm_id");
  REQUIRE(back.size() == 3);
  CHECK(back[0].get_text("name") == rows[0].name);
  CHECK(back[0].get_text("folder") == rows[0].folder);
  CHECK(back[0].get_int("vcpu_count") == std::numeric_limits<std::int64_t>::max());
  CHECK(back[0].get_int("ram_mb") == std::numeric_limits<std::int64_t>::min());
  CHECK(back[0].get_double("disk_gb") == 0.1 + 0.2);
  CHECK(back[0].get_text("creation_time") == "1970-01-01T00:00:00Z");
  CHECK(back[0].get_text("snapshot_time") == "2026-11-24T13:00:00Z");
  CHECK(back[1].get_text("name").empty());
  CHECK_FALSE(back[1].is_null("name"));
  CHECK(back[1].get_double("disk_gb") == -1.7976931348623157e308);
  CHECK(back[1].is_null("creation_time"));
  CHECK(back[2].get_double("disk_gb") == 4.9406564584124654e-324);
  CHECK(back[2].get_text("creation_time") == "2026-11-24T13:00:00Z");
}

TEST_CASE("a shared hour's table of older column types is still written (text COPY on PostgreSQL)") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::SnapshotWriter writer(*db);
  const auto t = at("2026-11-24T13:00:00Z");
  // As made by hand or by another release: vcpu_count a 32-bit integer, disk_gb numeric.
  db->execute("CREATE TABLE snap_hourly_2026112413 (snapshot_time " +
              std::string(backend == store::Backend::kPostgres ? "TIMESTAMPTZ" : "TEXT") +
              " NOT NULL, vcenter TEXT NOT NULL, vcenter_uuid TEXT NOT NULL, vm_id TEXT NOT NULL, "
              "instance_uuid TEXT, bios_uuid TEXT, name TEXT, datacenter TEXT, cluster TEXT, host TEXT, "
              "resource_pool TEXT, folder TEXT, tenant TEXT, vcpu_count INTEGER, ram_mb BIGINT, "
              "disk_gb NUMERIC, power_state TEXT, is_template " +
              std::string(backend == store::Backend::kPostgres ? "BOOLEAN" : "INTEGER") +
              " NOT NULL, srm_placeholder " +
              std::string(backend == store::Backend::kPostgres ? "BOOLEAN" : "INTEGER") +
              " NOT NULL, guest_os TEXT, creation_time " +
              std::string(backend == store::Backend::kPostgres ? "TIMESTAMPTZ" : "TEXT") + ")");
  const auto rows = vms("vc1", 5, t);
  CHECK(writer.write_vms(TableName::hourly(t), "vc1", rows).rows == 5);
  const auto back = db->query("SELECT vcpu_count, disk_gb, name FROM snap_hourly_2026112413 ORDER BY vm_id");
  REQUIRE(back.size() == 5);
  CHECK(back[4].get_int(0) == rows[4].vcpu_count);
  CHECK(back[4].get_double(1) == rows[4].disk_gb);
  CHECK(back[4].get_text(2) == rows[4].name);
}

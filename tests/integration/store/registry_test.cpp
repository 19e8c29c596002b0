#include <catch2/catch.hpp>

#include "backend_db.hpp"
#include "fake_clock.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/snapshot_registry.hpp"

using namespace vctp;
using namespace std::chrono;
using store::Registration;
using store::SnapshotKind;
using store::SnapshotStatus;
using store::TableName;

namespace {
system_clock::time_point at(const char* iso) { return *core::parse_iso8601(iso); }
}  // namespace

TEST_CASE("the registry records, replaces, finds and unregisters tables") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  test::FakeClock clock(at("2026-11-25T00:05:00Z"));
  store::SnapshotRegistry registry(*db, clock);

  const auto h13 = TableName::hourly(at("2026-11-24T13:00:00Z"));
  const auto h14 = TableName::hourly(at("2026-11-24T14:00:00Z"));
  const auto next_day = TableName::hourly(at("2026-11-25T00:00:00Z"));
  registry.record({h13, "vc-a", 10, SnapshotStatus::kOk, std::nullopt, milliseconds(120)});
  registry.record({h13, "vc-b", 0, SnapshotStatus::kFailed, "login failed", milliseconds(30)});
  registry.record({h14, "vc-a", 11, SnapshotStatus::kOk, std::nullopt, milliseconds(100)});
  registry.record({next_day, "vc-a", 12, SnapshotStatus::kOk, std::nullopt, milliseconds(100)});
  // registering again replaces
  registry.record({h13, "vc-a", 15, SnapshotStatus::kOk, std::nullopt, milliseconds(130)});
  const auto daily = TableName::daily(2026y / November / 24);
  registry.record({daily, std::nullopt, 30, SnapshotStatus::kOk, std::nullopt, milliseconds(5)});
  registry.record({daily, std::nullopt, 31, SnapshotStatus::kOk, std::nullopt, milliseconds(6)});

  const auto found = registry.find(SnapshotKind::kHourly, at("2026-11-24T00:00:00Z"), at("2026-11-25T00:00:00Z"));
  REQUIRE(found.size() == 3);
  CHECK(found[0].table_name == "snap_hourly_2026112413");
  CHECK(found[0].vcenter == "vc-a");
  CHECK(found[0].row_count == 15);
  CHECK(found[0].status == SnapshotStatus::kOk);
  CHECK(found[0].period_start == at("2026-11-24T13:00:00Z"));
  CHECK(found[0].period_end == at("2026-11-24T14:00:00Z"));
  CHECK(found[0].created_at == clock.now());
  CHECK(found[0].duration == milliseconds(130));
  CHECK(found[1].vcenter == "vc-b");
  CHECK(found[1].status == SnapshotStatus::kFailed);
  CHECK(found[1].error == "login failed");
  CHECK(found[2].table_name == "snap_hourly_2026112414");

  const auto dailies = registry.find(SnapshotKind::kDaily, at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z"));
  REQUIRE(dailies.size() == 1);
  CHECK_FALSE(dailies[0].vcenter.has_value());
  CHECK(dailies[0].row_count == 31);

  CHECK(registry.unregister(h13) == 2);
  CHECK(registry.find(SnapshotKind::kHourly, at("2026-11-24T00:00:00Z"), at("2026-11-25T00:00:00Z")).size() == 1);
}

TEST_CASE("the registry lists with filters, page by page") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::SnapshotRegistry registry(*db);
  const auto start = at("2026-11-24T00:00:00Z");
  for (int h = 0; h < 24; ++h) {
    const auto t = TableName::hourly(start + hours(h));
    registry.record({t, "vc-a", h, SnapshotStatus::kOk, std::nullopt, milliseconds(1)});
    registry.record(
        {t, "vc-b", h, h % 5 == 0 ? SnapshotStatus::kFailed : SnapshotStatus::kOk, std::nullopt, milliseconds(1)});
  }
  registry.record(
      {TableName::daily(2026y / November / 24), std::nullopt, 5, SnapshotStatus::kOk, std::nullopt, milliseconds(1)});

  store::SnapshotFilter filter;
  filter.kind = SnapshotKind::kHourly;
  filter.limit = 7;
  std::vector<store::SnapshotRecord> all;
  int pages = 0;
  for (;;) {
    const auto page = registry.list(filter);
    ++pages;
    all.insert(all.end(), page.records.begin(), page.records.end());
    if (!page.next_cursor) break;
    filter.cursor = page.next_cursor;
  }
  CHECK(pages == 7);  // 48 entries, 7 a page
  REQUIRE(all.size() == 48);
  CHECK(all.front().period_start == start + hours(23));
  CHECK(all.back().period_start == start);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].period_start >= all[i].period_start);

  store::SnapshotFilter failed;
  failed.status = SnapshotStatus::kFailed;
  CHECK(registry.list(failed).records.size() == 5);  // hours 0, 5, 10, 15, 20

  store::SnapshotFilter window;
  window.from = start + hours(10);
  window.to = start + hours(12);
  window.vcenter = "vc-a";
  const auto page = registry.list(window);
  REQUIRE(page.records.size() == 2);
  CHECK_FALSE(page.next_cursor.has_value());

  store::SnapshotFilter bad;
  bad.cursor = "not-a-cursor";
  CHECK_THROWS_AS(registry.list(bad), store::StoreError);
}

TEST_CASE("with nothing registered for a period, the catalogue is scanned and what it finds registered") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::SnapshotRegistry registry(*db);
  // tables restored from a backup: present, not registered
  for (const char* name :
       {"snap_hourly_2026112401", "snap_hourly_2026112402", "snap_hourly_2026112501", "snap_hosts_2026112401"}) {
    db->execute(std::string("CREATE TABLE ") + name + " (vm_id TEXT)");
  }
  db->execute("INSERT INTO snap_hourly_2026112401 VALUES ('vm-1'), ('vm-2'), ('vm-3')");
  db->execute("CREATE TABLE snap_hourly_notadate (vm_id TEXT)");

  const auto day = at("2026-11-24T00:00:00Z");
  const auto tables = registry.tables_for_period(SnapshotKind::kHourly, day, day + days(1));
  REQUIRE(tables.size() == 2);
  CHECK(tables[0].str() == "snap_hourly_2026112401");
  CHECK(tables[1].str() == "snap_hourly_2026112402");
  const auto records = registry.find(SnapshotKind::kHourly, day, day + days(1));
  REQUIRE(records.size() == 2);
  CHECK(records[0].row_count == 3);
  CHECK(records[1].row_count == 0);
  CHECK(records[0].status == SnapshotStatus::kOk);
  // other days and kinds are left for their own scans
  CHECK(registry.find(SnapshotKind::kHourly, day + days(1), day + days(2)).empty());
  CHECK(registry.find(SnapshotKind::kHosts, day, day + days(1)).empty());
  // once registered, no scan happens: a new unregistered table of the day stays unseen
  db->execute("CREATE TABLE snap_hourly_2026112403 (vm_id TEXT)");
  CHECK(registry.tables_for_period(SnapshotKind::kHourly, day, day + days(1)).size() == 2);
  CHECK(registry.find(SnapshotKind::kHourly, day, day + days(1)).size() == 2);
}

TEST_CASE("tables_for_period returns ok tables that exist, failed-only hours left out") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::SnapshotRegistry registry(*db);
  const auto day = at("2026-11-24T00:00:00Z");
  db->execute("CREATE TABLE snap_hourly_2026112405 (vm_id TEXT)");
  registry.record({TableName::hourly(day + hours(5)), "vc-a", 0, SnapshotStatus::kOk, {}, {}});
  registry.record({TableName::hourly(day + hours(5)), "vc-b", 0, SnapshotStatus::kFailed, "x", {}});
  registry.record({TableName::hourly(day + hours(6)), "vc-b", 0, SnapshotStatus::kFailed, "x", {}});
  registry.record({TableName::hourly(day + hours(7)), "vc-a", 0, SnapshotStatus::kOk, {}, {}});  // no table
  const auto tables = registry.tables_for_period(SnapshotKind::kHourly, day, day + days(1));
  REQUIRE(tables.size() == 1);
  CHECK(tables[0].str() == "snap_hourly_2026112405");
}

TEST_CASE("table names from outside are refused before they reach SQL") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  db->execute("CREATE TABLE x (a INTEGER)");
  const auto tables_before = db->list_tables();
  for (const char* request :
       {"summary_daily_20261124; DROP TABLE x", "2026-13-01", "summary_daily_20261124\"; DROP TABLE inventory; --",
        "snap_hourly_2026112413 OR 1=1", "x", "inventory"}) {
    INFO(request);
    // what a service does with a table name from a request: parse, then use the TableName
    CHECK_THROWS_AS(
        db->transact([&](store::Transaction& tx) { store::drop_snapshot_table(tx, TableName::parse(request)); }),
        store::InvalidTableName);
  }
  CHECK(db->list_tables() == tables_before);
}

TEST_CASE("a summary is regenerated in one transaction: drop, create, register") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::SnapshotRegistry registry(*db);
  const auto table = TableName::daily(2026y / November / 24);
  for (int rows : {3, 2}) {
    db->transact([&](store::Transaction& tx) {
      store::drop_snapshot_table(tx, table);
      tx.execute("CREATE TABLE " + table.str() + " (period TEXT, instance_uuid TEXT)");
      for (int i = 0; i < rows; ++i) {
        tx.execute("INSERT INTO " + table.str() + " VALUES ('2026-11-24', $1)", {"inst-" + std::to_string(i)});
      }
      registry.record(tx, {table, std::nullopt, rows, SnapshotStatus::kOk, std::nullopt, {}});
    });
  }
  CHECK(db->query("SELECT COUNT(*) FROM " + table.str())[0].get_int(0) == 2);
  const auto found = registry.find(SnapshotKind::kDaily, table.period_start(), table.period_end());
  REQUIRE(found.size() == 1);
  CHECK(found[0].row_count == 2);
}

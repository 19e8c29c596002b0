#include <catch2/catch.hpp>

#include "backend_db.hpp"
#include "fake_clock.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/retention.hpp"
#include "vctp/store/snapshot_writer.hpp"

using namespace vctp;
using namespace std::chrono;
using store::SnapshotStatus;
using store::TableName;

namespace {
system_clock::time_point at(const char* iso) { return *core::parse_iso8601(iso); }

std::vector<std::string> registered(store::Database& db) {
  std::vector<std::string> out;
  for (const auto& row : db.query("SELECT DISTINCT table_name FROM snapshot_registry ORDER BY table_name")) {
    out.push_back(row.get_text(0));
  }
  return out;
}
}  // namespace

TEST_CASE("retention drops and unregisters old hourly and daily tables, by the injected clock") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  test::FakeClock clock(at("2026-11-25T00:30:00Z"));
  store::SnapshotWriter writer(*db, clock);
  store::SnapshotRegistry registry(*db, clock);

  const auto vm = [](system_clock::time_point t) {
    store::HourlyVmRow r;
    r.snapshot_time = t;
    r.vcenter = "vc-a";
    r.vcenter_uuid = "uuid-a";
    r.vm_id = "vm-1";
    return std::vector<store::HourlyVmRow>{r};
  };
  for (const char* hour : {"2026-09-25T23:00:00Z", "2026-09-26T00:00:00Z", "2026-11-24T23:00:00Z"}) {
    writer.write_vms(TableName::hourly(at(hour)), "vc-a", vm(at(hour)));
  }
  writer.write_hosts(TableName::hosts(at("2026-09-20T10:00:00Z")), "vc-a", std::vector<store::HostRow>{});
  // a failed snapshot without a table, and an old unregistered table restored from a backup
  writer.record_failure(TableName::hourly(at("2026-09-01T05:00:00Z")), "vc-b", "timeout", milliseconds(1));
  db->execute("CREATE TABLE snap_hourly_2026080100 (vm_id TEXT)");
  // daily summaries, registered in the transaction that creates them (as the aggregator does)
  for (auto day : {2025y / October / 1, 2025y / November / 24, 2025y / November / 25, 2026y / November / 1}) {
    const auto table = TableName::daily(day);
    db->transact([&](store::Transaction& tx) {
      tx.execute("CREATE TABLE " + table.str() + " (instance_uuid TEXT)");
      registry.record(tx, {table, std::nullopt, 0, SnapshotStatus::kOk, std::nullopt, {}});
    });
  }
  db->execute("CREATE TABLE summary_monthly_202401 (instance_uuid TEXT)");

  store::RetentionPolicy policy;
  policy.hourly_max_age_days = 60;   // cut-off 2026-09-26T00:00Z
  policy.daily_max_age_months = 12;  // cut-off 2025-11-25
  const auto result = store::cleanup_snapshots(*db, clock, policy);
  // oldest period first
  CHECK(result.dropped == std::vector<std::string>{"summary_daily_20251001", "summary_daily_20251124",
                                                   "snap_hourly_2026080100", "snap_hosts_2026092010",
                                                   "snap_hourly_2026092523"});
  CHECK(result.unregistered_only == 1);  // the failed snapshot of 2026-09-01
  CHECK(db->list_tables("snap_*") == std::vector<std::string>{"snap_hourly_2026092600", "snap_hourly_2026112423"});
  CHECK(db->list_tables("summary_*") ==
        std::vector<std::string>{"summary_daily_20251125", "summary_daily_20261101", "summary_monthly_202401"});
  CHECK(registered(*db) == std::vector<std::string>{"snap_hourly_2026092600", "snap_hourly_2026112423",
                                                    "summary_daily_20251125", "summary_daily_20261101"});

  // time moves on: one more day ages out the next ones
  clock.advance(hours(24));
  const auto later = store::cleanup_snapshots(*db, clock, policy);
  CHECK(later.dropped == std::vector<std::string>{"summary_daily_20251125", "snap_hourly_2026092600"});
  // running again with nothing old is a no-op
  CHECK(store::cleanup_snapshots(*db, clock, policy).dropped.empty());
  // zero keeps everything
  clock.advance(hours(24 * 3650));
  CHECK(store::cleanup_snapshots(*db, clock, store::RetentionPolicy{0, 0}).dropped.empty());
}

TEST_CASE("retention policy comes from the settings") {
  auto settings = core::Settings::defaults();
  settings.hourly_snapshot_max_age_days = 7;
  settings.daily_snapshot_max_age_months = 3;
  const auto policy = store::RetentionPolicy::from_settings(settings);
  CHECK(policy.hourly_max_age_days == 7);
  CHECK(policy.daily_max_age_months == 3);
}

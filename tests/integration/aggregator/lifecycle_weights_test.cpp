// VMs whose hourly rows carry a creation_time from long before the day, but whose lifetime ends
// or starts inside it by vm_events or the inventory: the summary weighs their samples hour by
// hour (clipped to the lifetime), as it does for VMs created that day.
#include <catch2/catch.hpp>

#include "aggregator.hpp"
#include "aggregator_test_db.hpp"
#include "day_fixture.hpp"
#include "fake_clock.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/store/inventory.hpp"
#include "vctp/store/table_name.hpp"

using namespace vctp;

namespace {

std::string hour_text(int h) { return "2026-11-24T" + std::string(h < 10 ? "0" : "") + std::to_string(h) + ":00:00Z"; }

/// vm-removed: rows 00..15 (1 vCPU, 8 in the 15:00 sample), removed 15:15 by a VmRemovedEvent.
/// vm-late: rows 00..23 (2 vCPUs before 11:00, 4 from 11:00), created 10:30 by the inventory.
void write_day(store::Database& db) {
  store::SnapshotWriter writer(db);
  const auto long_ago = test::at("2025-01-01T00:00:00Z");
  for (int h = 0; h < 24; ++h) {
    const auto t = test::at(hour_text(h));
    std::vector<store::HourlyVmRow> rows;
    if (h <= 15) {
      auto r = test::vm_row("vm-removed");
      r.vcpu_count = h == 15 ? 8 : 1;
      rows.push_back(r);
    }
    auto late = test::vm_row("vm-late");
    late.vcpu_count = h < 11 ? 2 : 4;
    rows.push_back(late);
    for (auto& r : rows) {
      r.snapshot_time = t;
      r.creation_time = long_ago;
    }
    writer.write_vms(store::TableName::hourly(t), std::string("vc1"), rows);
  }
  db.transact([](store::Transaction& tx) {
    store::upsert_inventory(tx, {test::inventory_of(test::vm_row("vm-late"), test::at("2026-11-24T10:30:00Z"),
                                                    test::at("2026-11-24T00:00:00Z"),
                                                    test::at("2026-11-24T23:00:00Z"))});
    const auto ev =
        test::event_of(test::vm_row("vm-removed"), 9, "VmRemovedEvent", test::at("2026-11-24T15:15:00Z"));
    store::insert_vm_events(tx, {ev});
  });
}

void check_weighed_by_lifetime(store::Backend backend) {
  test::AggregatorTestDb tdb(backend);
  auto db = tdb.open();
  write_day(*db);
  test::FakeClock clock(test::at("2026-11-26T00:30:00Z"));
  metrics::Registry registry;
  aggregator::AggregatorMetrics metrics(registry);
  aggregator::Aggregator agg(*db, clock, aggregator::ChargebackRules({}, {}, {}), metrics);
  const auto out = agg.run(aggregator::SummaryKind::kDaily, "2026-11-24");
  INFO(out.error);
  REQUIRE(out.ok);

  auto rows = db->query("SELECT presence, avg_vcpu, max_vcpu FROM summary_daily_20261124 WHERE name = 'vm-removed'");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].get_double("presence") == Approx(15.25 / 24));  // 00:00 -> 15:15
  CHECK(rows[0].get_double("avg_vcpu") == Approx((15 * 3600 * 1.0 + 900 * 8.0) / (15 * 3600 + 900)));
  CHECK(rows[0].get_int("max_vcpu") == 8);

  rows = db->query("SELECT presence, avg_vcpu FROM summary_daily_20261124 WHERE name = 'vm-late'");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].get_double("presence") == Approx(13.5 / 24));  // 10:30 -> 24:00
  // 10:30-11:00 at 2 vCPUs, 11:00-24:00 at 4; the samples before 10:00 weigh nothing.
  CHECK(rows[0].get_double("avg_vcpu") == Approx((1800 * 2.0 + 13 * 3600 * 4.0) / (13.5 * 3600)));
}

}  // namespace

TEST_CASE("samples are weighed by a lifetime from vm_events or the inventory despite an old creation_time (SQLite)",
          "[aggregator]") {
  check_weighed_by_lifetime(store::Backend::kSqlite);
}

TEST_CASE(
    "samples are weighed by a lifetime from vm_events or the inventory despite an old creation_time (PostgreSQL)",
    "[aggregator]") {
  check_weighed_by_lifetime(store::Backend::kPostgres);
}

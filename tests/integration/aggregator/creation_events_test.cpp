// A VM whose only creation record is a VmDiscoveredEvent: the collector (which fills a VM's
// creation_time from its events) and the aggregator (which clips a VM's day to its lifetime) take
// the same time from it, because both go by the store's one list of creation events.
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

void write_discovered_vm(store::Database& db) {
  store::SnapshotWriter writer(db);
  for (int h = 11; h < 24; ++h) {
    const auto t = test::at("2026-11-24T" + std::string(h < 10 ? "0" : "") + std::to_string(h) + ":00:00Z");
    auto r = test::vm_row("vm-found");
    r.snapshot_time = t;
    writer.write_vms(store::TableName::hourly(t), std::string("vc1"), {r});
  }
  db.transact([](store::Transaction& tx) {
    const auto r = test::vm_row("vm-found");
    // no creation_time: vCenter gave no createDate
    store::upsert_inventory(
        tx, {test::inventory_of(r, std::nullopt, test::at("2026-11-24T11:00:00Z"), test::at("2026-11-24T23:00:00Z"))});
    const auto ev = test::event_of(r, 7, "VmDiscoveredEvent", test::at("2026-11-24T10:30:00Z"));
    store::insert_vm_events(tx, {ev});
  });
}

void check_discovered_is_a_creation(store::Backend backend) {
  CHECK(store::is_creation_event("VmDiscoveredEvent"));
  test::AggregatorTestDb tdb(backend);
  auto db = tdb.open();
  write_discovered_vm(*db);

  // The aggregator: the day is clipped to 10:30 -> 24:00, as for a VmCreatedEvent.
  test::FakeClock clock(test::at("2026-11-26T00:30:00Z"));
  metrics::Registry registry;
  aggregator::AggregatorMetrics metrics(registry);
  aggregator::Aggregator agg(*db, clock, aggregator::ChargebackRules({}, {}, {}), metrics);
  const auto out = agg.run(aggregator::SummaryKind::kDaily, "2026-11-24");
  INFO(out.error);
  REQUIRE(out.ok);
  const auto rows = db->query(
      "SELECT creation_time, presence, hours_present FROM summary_daily_20261124 "
      "WHERE name = 'vm-found'");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].get_text("creation_time") == "2026-11-24T10:30:00Z");
  CHECK(rows[0].get_double("presence") == Approx(13.5 / 24));
  CHECK(rows[0].get_double("hours_present") == Approx(13.5));

  // The collector's step after its inventory refresh: the same event gives the same time.
  const auto applied =
      db->transact([](store::Transaction& tx) { return store::apply_creation_events(tx, "vc1-uuid"); });
  CHECK(applied == 1);
  const auto inventory = db->transact([](store::Transaction& tx) { return store::load_inventory(tx, "vc1-uuid"); });
  REQUIRE(inventory.size() == 1);
  REQUIRE(inventory[0].creation_time);
  CHECK(*inventory[0].creation_time == test::at("2026-11-24T10:30:00Z"));
}

}  // namespace

TEST_CASE("a VmDiscoveredEvent marks a creation for collector and aggregator alike (SQLite)", "[aggregator]") {
  check_discovered_is_a_creation(store::Backend::kSqlite);
}

TEST_CASE("a VmDiscoveredEvent marks a creation for collector and aggregator alike (PostgreSQL)", "[aggregator]") {
  check_discovered_is_a_creation(store::Backend::kPostgres);
}

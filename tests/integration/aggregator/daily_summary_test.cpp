// The hand-computed day 2026-11-24 (day_fixture.cpp) on both backends. Every expected number
// below is worked out by hand from the definitions in services/aggregator/daily_summary.hpp:
// each hourly sample stands for the hour it opens, clipped to the VM's lifetime when a creation
// or deletion time falls inside the day; presence is exact from those times, else seen/expected.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "aggregator.hpp"
#include "aggregator_test_db.hpp"
#include "day_fixture.hpp"
#include "fake_clock.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/store/snapshot_writer.hpp"

using namespace vctp;

namespace {

aggregator::ChargebackRules fixture_rules() {
  return aggregator::ChargebackRules({"internal-*"}, {"GPU-*"}, {"SRM-AA-*"});
}

store::Row vm(store::Database& db, const std::string& table, const std::string& name) {
  const auto rows = db.query("SELECT * FROM \"" + table + "\" WHERE name = $1", {name});
  REQUIRE(rows.size() == 1);
  return rows[0];
}

std::int64_t count(store::Database& db, const std::string& sql, const store::Params& params = {}) {
  return db.query(sql, params)[0].get_int(0);
}

void check_hand_computed_day(store::Backend backend) {
  test::AggregatorTestDb tdb(backend);
  auto db = tdb.open();
  test::write_fixture_day(*db);
  test::write_fixture_previous_day(*db);
  test::FakeClock clock(test::at("2026-11-26T00:30:00Z"));
  metrics::Registry registry;
  aggregator::AggregatorMetrics metrics(registry);
  aggregator::Aggregator agg(*db, clock, fixture_rules(), metrics);

  const auto out = agg.run(aggregator::SummaryKind::kDaily, "2026-11-24");
  INFO(out.error);
  REQUIRE(out.ok);
  CHECK(out.table == "summary_daily_20261124");
  // vm-filtered (tenant Internal-Test matches "internal-*") is left out: 9 of 10 VMs.
  CHECK(out.rows == 9);
  const std::string t = "summary_daily_20261124";
  CHECK(count(*db, "SELECT COUNT(*) FROM " + t) == 9);
  CHECK(count(*db, "SELECT COUNT(*) FROM " + t + " WHERE name = 'vm-filtered'") == 0);

  SECTION("a VM present 6 hours with 2 vCPUs then 4") {
    const auto r = vm(*db, t, "vm-grow");
    CHECK(r.get_text("period") == "2026-11-24");
    CHECK(r.get_text("vcenter") == "vc1");
    CHECK(r.get_text("vcenter_uuid") == "vc1-uuid");
    CHECK(r.get_text("instance_uuid") == "iu-vm-grow");
    CHECK(r.get_int("samples_seen") == 6);
    CHECK(r.get_int("samples_expected") == 24);
    CHECK(r.get_double("presence") == Approx(6.0 / 24));  // no lifecycle time: 6 / 24
    CHECK(r.get_double("hours_present") == Approx(6.0));
    CHECK(r.get_double("avg_vcpu") == Approx(3.0));  // (3 x 2 + 3 x 4) / 6
    CHECK(r.get_int("max_vcpu") == 4);
    CHECK(r.get_double("avg_ram_gb") == Approx(4.0));
    CHECK(r.get_double("max_ram_gb") == Approx(4.0));
    CHECK(r.get_double("avg_disk_gb") == Approx(50.0));
    CHECK(r.get_double("powered_on_share") == Approx(1.0));
    CHECK(r.get_bool("charged"));
    CHECK_FALSE(r.get_bool("node_charge"));
    CHECK(r.is_null("creation_time"));
    CHECK(r.is_null("deletion_time"));
  }

  SECTION("a VM created at 10:30 (inventory)") {
    const auto r = vm(*db, t, "vm-new");
    CHECK(r.get_int("samples_seen") == 13);
    CHECK(r.get_int("samples_expected") == 24);
    CHECK(r.get_double("presence") == Approx(13.5 / 24));  // exact: 10:30 -> 24:00
    CHECK(r.get_double("hours_present") == Approx(13.5));
    CHECK(r.get_double("powered_on_share") == Approx(6.0 / 13));  // on 11..16, off 17..23
    CHECK(r.get_double("avg_ram_gb") == Approx(2.0));
    CHECK(r.get_double("avg_disk_gb") == Approx(20.0));
    CHECK(r.get_text("creation_time") == "2026-11-24T10:30:00Z");
    CHECK(r.is_null("deletion_time"));
  }

  SECTION("a VM deleted at 15:15 (vm_events)") {
    const auto r = vm(*db, t, "vm-gone");
    CHECK(r.get_int("samples_seen") == 16);
    CHECK(r.get_double("presence") == Approx(15.25 / 24));  // exact: 00:00 -> 15:15
    // 15 samples of 1 vCPU weigh 3600 s each, the 15:00 sample (8 vCPUs) 900 s.
    CHECK(r.get_double("avg_vcpu") == Approx((15 * 3600 * 1.0 + 900 * 8.0) / (15 * 3600 + 900)));
    CHECK(r.get_double("avg_vcpu") == Approx(1.1147540984));
    CHECK(r.get_int("max_vcpu") == 8);
    CHECK(r.get_text("deletion_time") == "2026-11-24T15:15:00Z");
  }

  SECTION("a VM moving between pools") {
    const auto r = vm(*db, t, "vm-mover");
    CHECK(r.get_text("resource_pool") == "pool-b");  // its last pool
    CHECK(r.get_double("presence") == Approx(1.0));
    const auto pools = db->query(
        "SELECT resource_pool, samples, share_of_presence, share, hours FROM "
        "summary_daily_pools_20261124 WHERE instance_uuid = 'iu-vm-mover' ORDER BY resource_pool");
    REQUIRE(pools.size() == 2);
    CHECK(pools[0].get_text("resource_pool") == "pool-a");
    CHECK(pools[0].get_int("samples") == 6);
    CHECK(pools[0].get_double("share") == Approx(0.25));
    CHECK(pools[0].get_double("hours") == Approx(6.0));
    CHECK(pools[1].get_text("resource_pool") == "pool-b");
    CHECK(pools[1].get_double("share") == Approx(0.75));
    CHECK(pools[1].get_double("hours") == Approx(18.0));
    // vm-new's single pool holds its whole presence: 13.5 h.
    const auto one = db->query(
        "SELECT share, share_of_presence, hours FROM summary_daily_pools_20261124 WHERE "
        "instance_uuid = 'iu-vm-new'");
    REQUIRE(one.size() == 1);
    CHECK(one[0].get_double("share_of_presence") == Approx(1.0));
    CHECK(one[0].get_double("hours") == Approx(13.5));
  }

  SECTION("SRM placeholders, templates and node-charge clusters") {
    const auto ph = vm(*db, t, "srm-ph-1");
    CHECK(ph.get_bool("srm_placeholder"));
    CHECK_FALSE(ph.get_bool("charged"));
    CHECK(ph.get_double("powered_on_share") == Approx(0.0));
    const auto aa = vm(*db, t, "srm-aa-db");  // matches "SRM-AA-*" case-insensitively
    CHECK(aa.get_bool("srm_placeholder"));
    CHECK(aa.get_bool("charged"));
    const auto tmpl = vm(*db, t, "tmpl-1");
    CHECK(tmpl.get_bool("is_template"));
    CHECK_FALSE(tmpl.get_bool("charged"));
    const auto node = vm(*db, t, "vm-node");  // gpu-cluster matches "GPU-*"
    CHECK(node.get_bool("node_charge"));
    CHECK_FALSE(node.get_bool("charged"));
    const auto nodes = db->query("SELECT * FROM summary_daily_nodes_20261124");
    REQUIRE(nodes.size() == 1);  // cl-general is not a node-charge cluster
    CHECK(nodes[0].get_text("cluster") == "gpu-cluster");
    CHECK(nodes[0].get_int("hosts") == 2);
    CHECK(nodes[0].get_int("host_samples") == 44);  // host-1 24 + host-2 20
    CHECK(nodes[0].get_int("samples_expected") == 24);
    CHECK(nodes[0].get_double("node_hours") == Approx(44.0));
  }

  SECTION("a missed hourly snapshot") {
    // vc2 failed at 14:00: 23 snapshots completed of 24 tried; the gap shows, presence counts
    // the hours taken (issue 12: a vCenter's outage visible in the completeness columns).
    const auto r = vm(*db, t, "vm-vc2");
    CHECK(r.get_int("samples_seen") == 23);
    CHECK(r.get_int("samples_expected") == 24);
    CHECK(r.get_double("presence") == Approx(1.0));
    CHECK(r.get_double("avg_vcpu") == Approx(6.0));
  }

  SECTION("registered in the same transaction, once") {
    CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry WHERE kind = 'daily' AND table_name = $1", {t}) == 1);
    CHECK(count(*db, "SELECT row_count FROM snapshot_registry WHERE table_name = $1", {t}) == 9);
  }

  SECTION("regeneration replaces and never duplicates") {
    // vc2 re-sends its 23:00 snapshot with one more VM.
    store::SnapshotWriter writer(*db);
    auto a = test::vm_row("vm-vc2", "vc2");
    auto b = test::vm_row("vm-late", "vc2");
    a.snapshot_time = b.snapshot_time = test::at("2026-11-24T23:00:00Z");
    a.vcpu_count = 6;
    writer.write_vms(store::TableName::hourly(a.snapshot_time), std::string("vc2"), {a, b});
    for (int i = 0; i < 2; ++i) {
      const auto again = agg.run(aggregator::SummaryKind::kDaily, "2026-11-24");
      REQUIRE(again.ok);
      CHECK(again.rows == 10);
    }
    CHECK(count(*db, "SELECT COUNT(*) FROM " + t) == 10);
    CHECK(count(*db, "SELECT COUNT(*) FROM " + t + " WHERE name = 'vm-mover'") == 1);
    CHECK(count(*db,
                "SELECT COUNT(*) FROM summary_daily_pools_20261124 WHERE instance_uuid = "
                "'iu-vm-mover'") == 2);
    CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry WHERE table_name = $1", {t}) == 1);
    CHECK(count(*db, "SELECT row_count FROM snapshot_registry WHERE table_name = $1", {t}) == 10);
  }

  SECTION("concurrent regenerations of the same day, in one process and across replicas") {
    // A second "replica": its own connections and its own in-process mutexes, so only the
    // database lock (PostgreSQL advisory lock, SQLite's single writer) keeps them apart.
    auto db2 = tdb.open();
    aggregator::Aggregator replica(*db2, clock, fixture_rules(), metrics);
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        auto& a = i % 2 == 0 ? agg : replica;
        for (int k = 0; k < 2; ++k) {
          if (a.run(aggregator::SummaryKind::kDaily, "2026-11-24").ok) ++ok;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(ok == 8);
    CHECK(count(*db, "SELECT COUNT(*) FROM " + t) == 9);
    CHECK(count(*db, "SELECT COUNT(*) FROM summary_daily_pools_20261124") == 10);
    CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry WHERE table_name = $1", {t}) == 1);
  }

  SECTION("the monthly roll-up, weighted by presence") {
    // --once monthly builds the missing daily summary of 2026-11-23 first.
    const auto month = agg.run(aggregator::SummaryKind::kMonthly, "2026-11");
    INFO(month.error);
    REQUIRE(month.ok);
    CHECK(month.table == "summary_monthly_202611");
    CHECK(month.rows == 9);
    CHECK(count(*db,
                "SELECT COUNT(*) FROM snapshot_registry WHERE table_name = "
                "'summary_daily_20261123'") == 1);
    // ...and says so, so that the service announces it (and the reporter writes its report).
    REQUIRE(month.days_built.size() == 1);
    CHECK(month.days_built[0].period == "2026-11-23");
    CHECK(month.days_built[0].ok);
    CHECK(agg.run(aggregator::SummaryKind::kMonthly, "2026-11").days_built.empty());  // nothing missing now
    const auto g = vm(*db, "summary_monthly_202611", "vm-grow");
    CHECK(g.get_text("period") == "2026-11");
    CHECK(g.get_int("days_present") == 2);
    CHECK(g.get_int("samples_seen") == 30);      // 24 + 6
    CHECK(g.get_int("samples_expected") == 48);  // 24 + 24
    CHECK(g.get_double("completeness") == Approx(30.0 / 48));
    CHECK(g.get_double("presence") == Approx(1.25 / 30));  // (1 + 0.25) / 30 days
    CHECK(g.get_double("hours_present") == Approx(30.0));
    CHECK(g.get_double("avg_vcpu") == Approx(7.0));  // (1 x 8 + 0.25 x 3) / 1.25
    CHECK(g.get_int("max_vcpu") == 8);
    const auto m = vm(*db, "summary_monthly_202611", "vm-mover");
    CHECK(m.get_int("days_present") == 1);
    CHECK(m.get_double("presence") == Approx(1.0 / 30));
    const auto pools = db->query(
        "SELECT share, hours FROM summary_monthly_pools_202611 WHERE instance_uuid = 'iu-vm-mover' "
        "AND resource_pool = 'pool-b'");
    REQUIRE(pools.size() == 1);
    CHECK(pools[0].get_double("share") == Approx(0.75 / 30));
    CHECK(pools[0].get_double("hours") == Approx(18.0));
    const auto nodes = db->query("SELECT * FROM summary_monthly_nodes_202611");
    REQUIRE(nodes.size() == 1);
    CHECK(nodes[0].get_double("node_hours") == Approx(44.0));
    CHECK_FALSE(vm(*db, "summary_monthly_202611", "vm-node").get_bool("charged"));
    CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry WHERE kind = 'monthly'") == 1);
  }
}

void check_bad_input(store::Backend backend) {
  test::AggregatorTestDb tdb(backend);
  auto db = tdb.open();
  test::write_fixture_day(*db);
  test::FakeClock clock(test::at("2026-11-26T00:30:00Z"));
  metrics::Registry registry;
  aggregator::AggregatorMetrics metrics(registry);
  aggregator::Aggregator agg(*db, clock, fixture_rules(), metrics);
  const auto tables_before = db->list_tables("summary_*");
  const auto registry_before = count(*db, "SELECT COUNT(*) FROM snapshot_registry");

  for (const auto& [kind, period] : std::vector<std::pair<aggregator::SummaryKind, std::string>>{
           {aggregator::SummaryKind::kDaily, "2026-13-01"},
           {aggregator::SummaryKind::kDaily, "2026-11-24; DROP TABLE x"},
           {aggregator::SummaryKind::kDaily, "2026-11-31"},
           {aggregator::SummaryKind::kDaily, "2026-12-30"},  // in the future
           {aggregator::SummaryKind::kDaily, "2026-11-20"},  // no hourly data
           {aggregator::SummaryKind::kMonthly, "2026-1"},
           {aggregator::SummaryKind::kMonthly, "2027-01"},  // in the future
           {aggregator::SummaryKind::kMonthly, "2026-10"},  // no data
       }) {
    INFO(period);
    const auto out = agg.run(kind, period);
    CHECK_FALSE(out.ok);
    CHECK(out.invalid);
    CHECK_FALSE(out.error.empty());
    CHECK(out.rows == 0);
  }
  CHECK(db->list_tables("summary_*") == tables_before);
  CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry") == registry_before);
  const auto text = registry.serialize();
  CHECK(text.find("vctp_daily_aggregations_failed_total 5") != std::string::npos);
  CHECK(text.find("vctp_monthly_aggregations_failed_total 3") != std::string::npos);
  CHECK(text.find("vctp_daily_aggregations_total 5") != std::string::npos);
}

}  // namespace

TEST_CASE("daily and monthly summaries of the hand-computed day on SQLite", "[aggregator]") {
  check_hand_computed_day(store::Backend::kSqlite);
}

TEST_CASE("daily and monthly summaries of the hand-computed day on PostgreSQL", "[aggregator]") {
  check_hand_computed_day(store::Backend::kPostgres);
}

TEST_CASE("bad periods are refused, write nothing and count as failed on SQLite", "[aggregator]") {
  check_bad_input(store::Backend::kSqlite);
}

TEST_CASE("bad periods are refused, write nothing and count as failed on PostgreSQL", "[aggregator]") {
  check_bad_input(store::Backend::kPostgres);
}

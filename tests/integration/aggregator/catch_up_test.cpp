// The schedule's catch-up finds closed periods without a summary and builds them; the retention
// job drops old tables and the summaries' companion tables with them. Both backends.
#include <catch2/catch.hpp>

#include <algorithm>

#include "aggregator.hpp"
#include "aggregator_test_db.hpp"
#include "day_fixture.hpp"
#include "fake_clock.hpp"
#include "retention_job.hpp"
#include "vctp/metrics/registry.hpp"

using namespace vctp;

namespace {

std::vector<std::string> texts(const std::vector<aggregator::Period>& periods) {
  std::vector<std::string> out;
  for (const auto& p : periods) out.push_back(p.text());
  return out;
}

void check_catch_up_and_retention(store::Backend backend) {
  test::AggregatorTestDb tdb(backend);
  auto db = tdb.open();
  test::write_fixture_day(*db);
  test::write_fixture_previous_day(*db);
  metrics::Registry registry;
  aggregator::AggregatorMetrics metrics(registry);
  const aggregator::ChargebackRules rules({"internal-*"}, {"GPU-*"}, {"SRM-AA-*"});

  {
    // On 2026-11-24 at 12:00 only the 23rd is closed; the month is not.
    test::FakeClock clock(test::at("2026-11-24T12:00:00Z"));
    aggregator::Aggregator agg(*db, clock, rules, metrics);
    CHECK(texts(agg.missing_periods(60, 13)) == std::vector<std::string>{"2026-11-23"});
  }
  test::FakeClock clock(test::at("2026-12-01T01:00:00Z"));
  aggregator::Aggregator agg(*db, clock, rules, metrics);
  CHECK(texts(agg.missing_periods(60, 13)) == std::vector<std::string>{"2026-11-23", "2026-11-24", "2026-11"});
  const auto outcomes = agg.catch_up(60, 13);
  REQUIRE(outcomes.size() == 3);
  for (const auto& o : outcomes) {
    INFO(o.period << ": " << o.error);
    CHECK(o.ok);
  }
  CHECK(outcomes[2].table == "summary_monthly_202611");
  CHECK(agg.missing_periods(60, 13).empty());
  CHECK(db->query("SELECT COUNT(*) FROM snapshot_registry WHERE kind IN ('daily', 'monthly')")[0].get_int(0) == 3);

  // A year and a half later: hourly and daily tables are past their age, monthly ones are kept.
  test::FakeClock later(test::at("2028-06-01T03:00:00Z"));
  core::Settings settings = core::Settings::defaults();
  settings.hourly_snapshot_max_age_days = 60;
  settings.daily_snapshot_max_age_months = 12;
  const auto dropped = aggregator::run_retention(*db, later, settings);
  CHECK(std::find(dropped.begin(), dropped.end(), "summary_daily_pools_20261124") != dropped.end());
  CHECK(db->list_tables("snap_hourly_*").empty());
  CHECK(db->list_tables("summary_daily_*").empty());  // summaries and their companions
  CHECK(db->list_tables("summary_monthly_*") == std::vector<std::string>{"summary_monthly_202611",
                                                                         "summary_monthly_nodes_202611",
                                                                         "summary_monthly_pools_202611"});
}

}  // namespace

TEST_CASE("catch-up builds closed periods without a summary and retention drops them later (SQLite)", "[aggregator]") {
  check_catch_up_and_retention(store::Backend::kSqlite);
}

TEST_CASE("catch-up builds closed periods without a summary and retention drops them later (PostgreSQL)",
          "[aggregator]") {
  check_catch_up_and_retention(store::Backend::kPostgres);
}

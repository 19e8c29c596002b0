// A generated month of 1,000 VMs (fleet_generator.hpp) gives the same daily and monthly
// summaries on SQLite and PostgreSQL: same rows, same texts and flags, numbers equal to 1e-9
// relative (floating-point sums may be added in a different order).
#include <catch2/catch.hpp>

#include <cmath>

#include "aggregator.hpp"
#include "aggregator_test_db.hpp"
#include "day_fixture.hpp"
#include "fake_clock.hpp"
#include "fleet_generator.hpp"
#include "vctp/metrics/registry.hpp"

using namespace vctp;

namespace {

struct Built {
  std::vector<std::string> tables;
  std::map<std::string, store::ResultSet> contents;
};

store::ResultSet read_sorted(store::Database& db, const std::string& table, const std::string& order) {
  return db.query("SELECT * FROM \"" + table + "\" ORDER BY " + order);
}

Built build_month(store::Backend backend, const test::FleetOptions& fleet) {
  test::AggregatorTestDb tdb(backend);
  auto db = tdb.open();
  test::write_fleet(*db, fleet);
  test::FakeClock clock(test::at("2026-12-01T00:30:00Z"));
  metrics::Registry registry;
  aggregator::AggregatorMetrics metrics(registry);
  aggregator::Aggregator agg(*db, clock, aggregator::ChargebackRules({"internal-*"}, {"GPU-*"}, {"SRM-AA-*"}), metrics);
  const auto out = agg.run(aggregator::SummaryKind::kMonthly, "2026-11");
  INFO(out.error);
  REQUIRE(out.ok);
  Built built;
  built.tables = db->list_tables("summary_*");
  for (const auto& t : built.tables) {
    const std::string order = t.find("_pools_") != std::string::npos   ? "vcenter_uuid, instance_uuid, resource_pool"
                              : t.find("_nodes_") != std::string::npos ? "vcenter_uuid, cluster"
                                                                       : "vcenter_uuid, instance_uuid";
    built.contents[t] = read_sorted(*db, t, order);
  }
  return built;
}

bool same_value(const store::Value& a, const store::Value& b) {
  if (store::is_null(a) || store::is_null(b)) return store::is_null(a) && store::is_null(b);
  const bool numeric_a = !std::holds_alternative<std::string>(a);
  const bool numeric_b = !std::holds_alternative<std::string>(b);
  if (numeric_a && numeric_b) {
    const double x = store::as_double(a), y = store::as_double(b);
    return std::fabs(x - y) <= 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)});
  }
  // Booleans come back as 0/1 from SQLite and as text from PostgreSQL in some drivers.
  if (numeric_a != numeric_b) return store::as_text(a) == store::as_text(b) || store::as_bool(a) == store::as_bool(b);
  return store::as_text(a) == store::as_text(b);
}

}  // namespace

TEST_CASE("a generated month of 1,000 VMs gives identical summaries on SQLite and PostgreSQL", "[aggregator]") {
  test::FleetOptions fleet;
  fleet.vms = 1000;
  fleet.first_day = std::chrono::sys_days(
      std::chrono::year_month_day(std::chrono::year(2026), std::chrono::month(11), std::chrono::day(1)));
  fleet.days = 30;
  const auto lite = build_month(store::Backend::kSqlite, fleet);
  const auto pg = build_month(store::Backend::kPostgres, fleet);

  CHECK(lite.tables == pg.tables);
  CHECK(lite.tables.size() == 30 * 3 + 3);  // daily, pools, nodes per day; the same per month
  REQUIRE(lite.contents.count("summary_monthly_202611"));
  const auto& month = lite.contents.at("summary_monthly_202611");
  // 1,000 VMs less the 50 of tenant Internal-QA (i % 20 == 19).
  CHECK(month.size() == 950);
  std::size_t compared = 0;
  for (const auto& [table, rows] : lite.contents) {
    INFO(table);
    REQUIRE(pg.contents.count(table));
    const auto& other = pg.contents.at(table);
    REQUIRE(rows.size() == other.size());
    CHECK(rows.columns == other.columns);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (std::size_t c = 0; c < rows.columns.size(); ++c) {
        const auto& a = rows[r].values()[c];
        const auto& b = other[r].values()[c];
        if (!same_value(a, b)) {
          FAIL_CHECK(table << " row " << r << " column " << rows.columns[c] << ": '" << store::as_text(a) << "' vs '"
                           << store::as_text(b) << "'");
        }
        ++compared;
      }
    }
  }
  CHECK(compared > 500000);
}

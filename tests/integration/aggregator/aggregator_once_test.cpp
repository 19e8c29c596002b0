// vctp-aggregator --once, the operators' command, run as a process on the fixture day (SQLite and
// PostgreSQL): it builds the period's summary and exits 0, and refuses a bad period with status
// 2 or a period without data with status 1, writing nothing.
#include <catch2/catch.hpp>

#include "aggregator_test_db.hpp"
#include "day_fixture.hpp"

using namespace vctp;
using namespace vctp::test;

namespace {

std::int64_t count(store::Database& db, const std::string& sql) {
  const auto rows = db.query(sql);
  return rows.empty() ? 0 : rows[0].get_int(0);
}

void check_once(store::Backend backend) {
  AggregatorTestDb tdb(backend);
  {
    auto db = tdb.open();
    write_fixture_previous_day(*db);
    write_fixture_day(*db);
  }
  TempDir dir;
  write_file(dir / "vctp.yml",
             "settings:\n"
             "  database_driver: " +
                 tdb.driver() +
                 "\n"
                 "  database_url: \"" +
                 tdb.url() +
                 "\"\n"
                 "  nats_url: nats://127.0.0.1:1\n"  // no NATS answers there
                 "  aggregator_metrics_port: 0\n"
                 "  tenants_to_filter: [scratch*]\n"
                 "  node_charge_clusters: [dedicated-*]\n"
                 "  srm_activeactive_vms: [aa-*]\n");
  const std::string aggregator =
      binary_dir().string() + "/bin/vctp-aggregator -settings " + (dir / "vctp.yml").string() + " --once ";

  const auto daily = run_command(aggregator + "daily 2026-11-24");
  INFO(daily.output);
  REQUIRE(daily.status == 0);
  auto db = tdb.open();
  CHECK(count(*db, "SELECT COUNT(*) FROM summary_daily_20261124") > 0);
  CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry WHERE table_name = 'summary_daily_20261124'") == 1);

  const auto monthly = run_command(aggregator + "monthly 2026-11");
  INFO(monthly.output);
  REQUIRE(monthly.status == 0);
  CHECK(count(*db, "SELECT COUNT(*) FROM summary_monthly_202611") > 0);

  const auto bad = run_command(aggregator + "daily '2026-11-24; DROP TABLE x'");
  INFO(bad.output);
  CHECK(bad.status != 0);
  const auto empty = run_command(aggregator + "daily 2026-11-10");
  INFO(empty.output);
  CHECK(empty.status != 0);
  CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry WHERE table_name = 'summary_daily_20261110'") == 0);
  CHECK(count(*db, "SELECT COUNT(*) FROM snapshot_registry WHERE kind = 'daily'") == 2);  // 23rd and 24th
}

}  // namespace

TEST_CASE("vctp-aggregator --once on SQLite", "[aggregator][once]") { check_once(store::Backend::kSqlite); }

TEST_CASE("vctp-aggregator --once on PostgreSQL", "[aggregator][once]") { check_once(store::Backend::kPostgres); }

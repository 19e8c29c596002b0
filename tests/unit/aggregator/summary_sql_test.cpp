#include <catch2/catch.hpp>

#include <stdexcept>

#include "summary_sql.hpp"

using namespace vctp;

TEST_CASE("an INSERT ... SELECT takes each column's value by its name") {
  const store::Dialect dialect(store::Backend::kSqlite);
  const aggregator::SqlText sql(dialect);
  const std::vector<store::ColumnSpec> columns{{"period", store::ColumnType::kText, true},
                                               {"name", store::ColumnType::kText},
                                               {"vcpu", store::ColumnType::kInt}};
  // The values' order does not matter: the SELECT list follows the table's columns.
  const aggregator::ColumnValues values{{"vcpu", "a.vcpu"}, {"period", "$1"}, {"name", "last.name"}};
  CHECK(aggregator::insert_select_sql(sql, "summary_daily_20261124", columns, values, "x a") ==
        "INSERT INTO \"summary_daily_20261124\" (period, name, vcpu) SELECT $1, last.name, a.vcpu FROM x a");

  auto missing = values;
  missing.erase("name");
  CHECK_THROWS_AS(aggregator::insert_select_sql(sql, "t", columns, missing, "x"), std::logic_error);
  auto extra = values;
  extra["nmae"] = "last.name";
  CHECK_THROWS_AS(aggregator::insert_select_sql(sql, "t", columns, extra, "x"), std::logic_error);
}

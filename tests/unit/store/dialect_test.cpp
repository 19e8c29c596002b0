#include <catch2/catch.hpp>

#include "vctp/store/dialect.hpp"

using vctp::store::Backend;
using vctp::store::Dialect;

TEST_CASE("dialects differ only where SQL must") {
  const Dialect sqlite(Backend::kSqlite);
  const Dialect pg(Backend::kPostgres);
  CHECK(sqlite.name() == "sqlite");
  CHECK(pg.name() == "postgres");
  CHECK(sqlite.timestamp_type() == "TEXT");
  CHECK(pg.timestamp_type() == "TIMESTAMPTZ");
  CHECK(sqlite.timestamp_param(2) == "$2");
  CHECK(pg.timestamp_param(2) == "CAST($2 AS timestamptz)");
  CHECK(sqlite.greatest("a", "b") == "MAX(a, b)");
  CHECK(pg.greatest("a", "b") == "GREATEST(a, b)");
  CHECK(pg.quote_identifier("we\"ird") == "\"we\"\"ird\"");
  CHECK(sqlite.quote_literal("it's") == "'it''s'");
}

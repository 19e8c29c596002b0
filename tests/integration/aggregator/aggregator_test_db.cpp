#include "aggregator_test_db.hpp"

#include <unistd.h>

#include <atomic>
#include <random>
#include <stdexcept>

namespace vctp::test {

namespace {

std::string postgres_value(const std::string& file) {
  const auto value = fixture_value("postgres", file);
  if (!value || value->empty()) {
    throw std::runtime_error("the postgres fixture is not running (test-fixtures/postgres/" + file +
                             " missing): run the tests through ctest");
  }
  return *value;
}

void psql(const std::string& sql) {
  const auto result = run_command(postgres_value("bindir") + "/psql -X -q -v ON_ERROR_STOP=1 '" +
                                  postgres_value("superuser_dsn") + "' -c \"" + sql + "\"");
  if (result.status != 0) throw std::runtime_error("psql failed: " + sql + ": " + result.output);
}

}  // namespace

AggregatorTestDb::AggregatorTestDb(store::Backend backend) {
  if (backend == store::Backend::kSqlite) {
    driver_ = "sqlite";
    url_ = (dir_.path() / "vctp.sqlite3").string();
    return;
  }
  static std::atomic<int> counter{0};
  std::random_device rd;
  driver_ = "postgres";
  pg_database_ = "vctp_agg_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                 std::to_string(rd() % 100000);
  psql("CREATE DATABASE " + pg_database_ + " OWNER vctp");
  const auto dsn = postgres_value("dsn");
  url_ = dsn.substr(0, dsn.rfind('/') + 1) + pg_database_;
}

AggregatorTestDb::~AggregatorTestDb() {
  if (pg_database_.empty()) return;
  try {
    psql("DROP DATABASE IF EXISTS " + pg_database_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The fixture's stop removes the whole cluster anyway.
  }
}

std::unique_ptr<store::Database> AggregatorTestDb::open() const {
  return store::open_database(driver_, url_);
}

}  // namespace vctp::test

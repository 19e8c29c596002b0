#pragma once

#include <memory>
#include <string>

#include "test_support.hpp"
#include "vctp/store/database.hpp"

namespace vctp::test {

/// A fresh database of one backend for one test: a SQLite file in a temporary directory, or a
/// new database in the PostgreSQL of the `postgres` CTest fixture (dropped at the end).
class AggregatorTestDb {
 public:
  explicit AggregatorTestDb(store::Backend backend);
  ~AggregatorTestDb();
  AggregatorTestDb(const AggregatorTestDb&) = delete;
  AggregatorTestDb& operator=(const AggregatorTestDb&) = delete;

  std::unique_ptr<store::Database> open() const;
  const std::string& driver() const { return driver_; }
  const std::string& url() const { return url_; }

 private:
  TempDir dir_;
  std::string driver_;
  std::string url_;
  std::string pg_database_;
};

}  // namespace vctp::test

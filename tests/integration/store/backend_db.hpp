#pragma once

#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "vctp/store/database.hpp"

namespace vctp::test {

/// A fresh, empty database of one backend for one test: a new SQLite file in a temporary
/// directory, or a new database created on the fixture's PostgreSQL (dropped at the end).
class BackendDb {
 public:
  explicit BackendDb(store::Backend backend);
  ~BackendDb();
  BackendDb(const BackendDb&) = delete;
  BackendDb& operator=(const BackendDb&) = delete;

  store::Backend backend() const { return backend_; }
  const std::string& driver() const { return driver_; }
  const std::string& url() const { return url_; }
  std::unique_ptr<store::Database> open(const store::OpenOptions& options = {}) const;

 private:
  store::Backend backend_;
  std::string driver_;
  std::string url_;
  std::string pg_database_;
  TempDir dir_;
};

/// Both backends, for GENERATE.
inline std::vector<store::Backend> all_backends() {
  return {store::Backend::kSqlite, store::Backend::kPostgres};
}

/// The PostgreSQL fixture's DSN for the test role, or a failure when the fixture is not up.
std::string postgres_dsn();
/// Runs SQL as the fixture's superuser through psql (CREATE/DROP DATABASE and the like).
void postgres_admin(const std::string& sql);

/// Starts `argv` in the background; returns its pid.
int spawn(const std::vector<std::string>& argv);
/// Waits for a child; returns its exit status (or 128 + signal).
int wait_child(int pid);

}  // namespace vctp::test

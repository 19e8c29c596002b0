#include "backend_db.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <stdexcept>

extern char** environ;

namespace vctp::test {

namespace {

std::string required_fixture(const std::string& file) {
  const auto value = fixture_value("postgres", file);
  if (!value || value->empty()) {
    throw std::runtime_error("the postgres fixture is not running (test-fixtures/postgres/" + file +
                             " missing): run the tests through ctest");
  }
  return *value;
}

std::string random_suffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 100000);
}

}  // namespace

std::string postgres_dsn() { return required_fixture("dsn"); }

void postgres_admin(const std::string& sql) {
  const auto dsn = required_fixture("superuser_dsn");
  const auto bindir = required_fixture("bindir");
  const auto result = run_command(bindir + "/psql -X -q -v ON_ERROR_STOP=1 '" + dsn + "' -c \"" +
                                  sql + "\"");
  if (result.status != 0) throw std::runtime_error("psql failed: " + sql + ": " + result.output);
}

BackendDb::BackendDb(store::Backend backend) : backend_(backend) {
  if (backend == store::Backend::kSqlite) {
    driver_ = "sqlite";
    url_ = (dir_.path() / "vctp.sqlite3").string();
    return;
  }
  driver_ = "postgres";
  pg_database_ = "vctp_test_" + random_suffix();
  postgres_admin("CREATE DATABASE " + pg_database_ + " OWNER vctp");
  auto dsn = postgres_dsn();
  url_ = dsn.substr(0, dsn.rfind('/') + 1) + pg_database_;
}

BackendDb::~BackendDb() {
  if (!pg_database_.empty()) {
    try {
      postgres_admin("DROP DATABASE IF EXISTS " + pg_database_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The fixture's stop removes the whole cluster anyway.
    }
  }
}

std::unique_ptr<store::Database> BackendDb::open(const store::OpenOptions& options) const {
  return store::open_database(driver_, url_, options);
}

int spawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) {
    throw std::runtime_error("cannot start " + argv[0]);
  }
  return pid;
}

int wait_child(int pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) throw std::runtime_error("waitpid failed");
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace vctp::test

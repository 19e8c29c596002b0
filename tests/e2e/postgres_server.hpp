#pragma once

#include <filesystem>
#include <string>

namespace vctp::test {

/// A PostgreSQL server of a test's own (what tests/fixtures/postgres.sh does, as an object), so
/// a test can stop it and start it again on the same port and data without disturbing the
/// shared `postgres` fixture of the other tests. The cluster lives in a directory owned by the
/// postgres user (server binaries run through `runuser -u postgres --` when we are root), its
/// socket in that directory, on a free port of 127.0.0.1; role and database "vctp" exist.
/// Removed (after an immediate stop) when this goes out of scope. Throws std::runtime_error
/// when initdb or the first start fails.
class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// postgres://vctp:PASSWORD@127.0.0.1:PORT/vctp
  std::string dsn() const;
  int port() const { return port_; }

  /// `pg_ctl stop -m MODE` ("smart", "fast" or "immediate"), waiting until it is down.
  void stop(const std::string& mode = "fast");
  /// Starts it again on the same port and data, waiting until it accepts connections.
  void start();
  /// Runs `sql` through psql as role vctp; returns psql's exit status.
  int psql(const std::string& sql) const;
  /// The psql command line (role vctp, no ~/.psqlrc), for a test that runs it as a process.
  std::string psql_command() const;
  /// The server's log.
  std::string log() const;

 private:
  std::string as_postgres(const std::string& command) const;
  bool try_start();

  std::filesystem::path bindir_;
  std::filesystem::path cluster_;
  int port_ = 0;
  std::string password_;
};

}  // namespace vctp::test

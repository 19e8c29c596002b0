#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vctp/store/database.hpp"

namespace vctp::store {

/// One connection of a backend. Not thread-safe: the pool hands it to one thread at a time.
/// Native errors are translated into StoreError (retryable for transient ones).
class Connection {
 public:
  virtual ~Connection() = default;
  /// One attempt at a transaction: begin, body, commit; rolls back and rethrows when the body
  /// or the commit throws. A read-only one takes no write lock (SQLite BEGIN DEFERRED,
  /// PostgreSQL READ ONLY).
  virtual void transaction(const std::function<void(Transaction&)>& body, bool read_only) = 0;
  /// A read outside an explicit transaction.
  virtual ResultSet query(std::string_view sql, const Params& params) = 0;
  /// Whether the connection is no longer usable (the pool drops it).
  virtual bool broken() const = 0;
};

/// Opens a connection; throws StoreError (retryable when the server may come up later).
using Connector = std::function<std::unique_ptr<Connection>()>;

class Database::Impl {
 public:
  Impl(Dialect dialect, std::string location, OpenOptions options, Connector connector,
       std::size_t max_connections);

  /// A pooled connection, given back (or dropped when broken) when it goes out of scope.
  class Lease {
   public:
    Lease(Impl& impl, std::unique_ptr<Connection> conn) : impl_(&impl), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Connection* operator->() { return conn_.get(); }

   private:
    Impl* impl_;
    std::unique_ptr<Connection> conn_;
  };

  /// A connection, opening one (with the start-up retry policy, unless `retry_connect` is
  /// false) when none is idle.
  Lease acquire(bool retry_connect = true);
  /// Opens a connection once, without retrying.
  std::unique_ptr<Connection> connect() { return connector_(); }
  /// Opens a connection, retrying with backoff while the server is unreachable.
  std::unique_ptr<Connection> connect_with_retry();
  void give_back(std::unique_ptr<Connection> conn);

  /// Runs `op` with the transient-failure retry policy.
  void with_retry(const std::function<void(Connection&)>& op);

  /// What Database::data_version asks its own connection ("" when the backend cannot tell).
  std::string version_query_;
  /// Database::data_version's connection (opened at its first call), and its lock.
  std::unique_ptr<Connection> version_conn_;
  std::mutex version_mutex_;

  Dialect dialect_;
  std::string location_;
  OpenOptions options_;

 private:
  Connector connector_;
  std::size_t max_connections_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

/// Backend entry points (sqlite_backend.cpp, postgres_backend.cpp).
/// An SQLite database_url without its optional sqlite:// or sqlite3:// scheme.
std::string strip_sqlite_scheme(std::string_view url);

std::unique_ptr<Database::Impl> make_sqlite(std::string_view url, const OpenOptions& options);
std::unique_ptr<Database::Impl> make_postgres(std::string_view url, const OpenOptions& options);

/// Applies pending migrations (or only checks the version when `apply` is false).
void migrate(Database& db, bool apply);

}  // namespace vctp::store

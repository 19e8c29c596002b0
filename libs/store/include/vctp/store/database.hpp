#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "vctp/core/random.hpp"
#include "vctp/store/columns.hpp"
#include "vctp/store/dialect.hpp"
#include "vctp/store/errors.hpp"
#include "vctp/store/value.hpp"

namespace vctp::store {

/// The fields of one row of a bulk insert, in column order, each given as its column's type
/// (ColumnSpec::type: text, integer, real, boolean or time), or NULL.
class BulkRow {
 public:
  virtual void null() = 0;
  virtual void text(std::string_view s) = 0;
  /// Like text(); the string may be moved from.
  virtual void take_text(std::string& s) { text(s); }
  virtual void integer(std::int64_t v) = 0;
  virtual void real(double v) = 0;
  virtual void boolean(bool v) = 0;
  /// A time, stored to the second (as time_value() gives it).
  virtual void time(std::chrono::system_clock::time_point t) = 0;

 protected:
  ~BulkRow() = default;
};

/// A BulkRow collected as Values: booleans as 0/1, times as time_value() text.
class BulkValues final : public BulkRow {
 public:
  std::vector<Value> values;

  void null() override;
  void text(std::string_view s) override;
  void take_text(std::string& s) override;
  void integer(std::int64_t v) override;
  void real(double v) override;
  void boolean(bool v) override;
  void time(std::chrono::system_clock::time_point t) override;
};

/// Rows appended to one table in bulk: a prepared INSERT reused for every row (SQLite) or
/// COPY ... FROM STDIN (PostgreSQL: binary format when opened with typed_bulk_insert and the
/// table's columns have the types named, text through pqxx::stream_to otherwise). Values are
/// given in the order of the columns named when it was opened, either as a vector (add_row)
/// or field by field (begin_row, one BulkRow call per column, end_row).
/// Call finish() before using the transaction again.
class BulkInsert {
 public:
  virtual ~BulkInsert() = default;
  virtual void add_row(const std::vector<Value>& values) = 0;
  /// Starts the next row. By default its fields are collected as Values for add_row.
  virtual BulkRow& begin_row();
  /// Ends the row begun by begin_row().
  virtual void end_row();
  /// Ends the insert; returns the number of rows written.
  virtual std::int64_t finish() = 0;

 private:
  BulkValues row_;
};

/// One database transaction, handed to the body of Database::transact(). It is valid only
/// inside that body and must not be shared with other threads.
class Transaction {
 public:
  virtual ~Transaction() = default;

  virtual const Dialect& dialect() const = 0;
  /// Runs SQL text without parameters (several statements separated by `;` allowed).
  virtual void execute(std::string_view sql) = 0;
  /// Runs one statement with `$n` parameters; returns the number of rows it changed.
  virtual std::int64_t execute(std::string_view sql, const Params& params) = 0;
  /// Runs one query with `$n` parameters and returns its rows.
  virtual ResultSet query(std::string_view sql, const Params& params = {}) = 0;
  /// Opens a bulk insert into `table` (a name the caller validated, e.g. TableName::str()).
  virtual std::unique_ptr<BulkInsert> bulk_insert(std::string_view table,
                                                  const std::vector<std::string>& columns) = 0;
  /// Opens a bulk insert into `table` whose rows are given field by field (begin_row), each
  /// field as the type of its column in `columns`. By default, bulk_insert of the names.
  virtual std::unique_ptr<BulkInsert> typed_bulk_insert(std::string_view table,
                                                        const std::vector<ColumnSpec>& columns);
  /// Serialises, until this transaction ends, every transaction that locks the same `name`
  /// (a PostgreSQL advisory transaction lock; SQLite write transactions are serialised anyway).
  virtual void lock(std::string_view name) = 0;

  /// Whether a table of that exact name exists.
  bool table_exists(std::string_view name);
  /// Names of the tables matching a shell-style glob (`snap_hourly_*`), sorted.
  std::vector<std::string> list_tables(std::string_view glob = "*");
};

/// How open_database connects and retries.
struct OpenOptions {
  /// Attempts to connect while the server is unreachable (refused, not yet accepting
  /// connections); a bad DSN or a wrong password fails at once.
  int connect_attempts = 8;
  /// First pause between connection attempts, doubled each time up to connect_backoff_max.
  std::chrono::milliseconds connect_backoff{250};
  std::chrono::milliseconds connect_backoff_max{8000};
  /// Attempts of a transaction that fails transiently (SQLITE_BUSY after busy_timeout,
  /// PostgreSQL serialization failure or deadlock, a broken connection before commit).
  int transaction_attempts = 8;
  std::chrono::milliseconds retry_backoff{20};
  /// Where the random part of each retry pause comes from (so that replicas do not retry in step).
  core::Random* random = &core::system_random();
  /// SQLite's busy_timeout on each connection.
  std::chrono::milliseconds busy_timeout{5000};
  /// Connections kept by the pool (threads beyond that wait for one to be free).
  std::size_t max_connections = 4;
  /// Apply the embedded migrations at open (the default); when false, the schema is only
  /// checked to be no newer than this binary.
  bool migrate = true;
  /// Called before each retry, with what is retried ("connect" or "transaction"), the attempt
  /// that failed (1-based) and its error: for metrics, or for tests to observe retries.
  std::function<void(std::string_view what, int attempt, const StoreError& error)> on_retry;
};

/// A database shared by the threads of a service: a small pool of connections to one SQLite
/// file or one PostgreSQL database. All methods are thread-safe.
class Database {
 public:
  class Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const Dialect& dialect() const;
  /// "sqlite" or "postgres".
  std::string_view driver() const;
  /// The database's location with any password masked, for logs and messages.
  const std::string& location() const;

  /// Runs SQL text in its own transaction (several statements allowed).
  void execute(std::string_view sql);
  /// Runs one statement with parameters in its own transaction; returns changed rows.
  std::int64_t execute(std::string_view sql, const Params& params);
  /// Runs one read-only query outside any explicit transaction.
  ResultSet query(std::string_view sql, const Params& params = {});

  /// Runs `body` in a transaction that commits when the body returns and rolls back when it
  /// throws. Transient failures (see OpenOptions::transaction_attempts) roll back and run the
  /// body again, so the body must have no side effects outside the transaction that a rerun
  /// would repeat. Returns what the body returns. Inside the body use only `tx`, never this
  /// Database (another connection would not see the transaction's work, and could wait for it).
  /// On SQLite the transaction holds the write lock from its start (BEGIN IMMEDIATE).
  template <typename F>
  auto transact(F&& body) -> std::invoke_result_t<F&, Transaction&> {
    return run<F>(std::forward<F>(body), false);
  }

  /// Like transact, for readers that want several queries to see one consistent state: a
  /// read-only transaction (SQLite BEGIN DEFERRED with query_only, PostgreSQL READ ONLY) that
  /// never waits for writers. Writing in it fails.
  template <typename F>
  auto read(F&& body) -> std::invoke_result_t<F&, Transaction&> {
    return run<F>(std::forward<F>(body), true);
  }

  bool table_exists(std::string_view name);
  std::vector<std::string> list_tables(std::string_view glob = "*");

  /// The highest migration applied to this database (0 for a database never migrated).
  int schema_version();

  /// Checks at once, without the retry policies, that the database answers a query (for a
  /// readiness probe): throws StoreError when it does not.
  void ping();

  /// A token that changes whenever a transaction that changed anything commits (on any
  /// connection, in any process): SQLite's data_version read on a connection of its own that
  /// never writes, PostgreSQL's current snapshot (equal snapshots see the same data). What was
  /// read after a token was taken is current for as long as the token stays the same, so answers
  /// built from the database can be cached against it. Nullopt when the backend cannot tell (an
  /// in-memory SQLite database). Throws StoreError when the database cannot be reached.
  std::optional<std::string> data_version();

 private:
  template <typename F>
  auto run(F&& body, bool read_only) -> std::invoke_result_t<F&, Transaction&> {
    using R = std::invoke_result_t<F&, Transaction&>;
    if constexpr (std::is_void_v<R>) {
      run_transaction([&](Transaction& tx) { body(tx); }, read_only);
    } else {
      std::optional<R> result;
      run_transaction([&](Transaction& tx) { result.emplace(body(tx)); }, read_only);
      return std::move(*result);
    }
  }
  void run_transaction(const std::function<void(Transaction&)>& body, bool read_only);
  std::unique_ptr<Impl> impl_;
};

/// Opens a database: `driver` is "sqlite" (`url` a path, `file:` URI or ":memory:") or
/// "postgres" (`url` a postgres:// or postgresql:// DSN, or libpq key=value pairs). Applies
/// the embedded migrations. Throws StoreError (message naming driver and host, password
/// masked) when it cannot, SchemaTooNew when the database is newer than this binary.
/// The file an SQLite `url` names (a path, or a `file:` URI's path), or nullopt for an in-memory
/// database or another driver: the caller may create its folder before opening.
std::optional<std::filesystem::path> sqlite_file_path(std::string_view driver, std::string_view url);

std::unique_ptr<Database> open_database(std::string_view driver, std::string_view url,
                                        const OpenOptions& options = {});

}  // namespace vctp::store

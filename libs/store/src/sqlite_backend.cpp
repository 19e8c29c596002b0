#include <sqlite3.h>

#include <filesystem>
#include <map>

#include "backend.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/secrets.hpp"

namespace vctp::store {

namespace {

using DbHandle = std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

bool transient(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

class SqliteConnection;

/// Throws a StoreError for a failed sqlite3 call.
[[noreturn]] void fail(sqlite3* db, int rc, const std::string& location, std::string_view what) {
  std::string message = "sqlite " + location + ": " + std::string(what) + ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (transient(rc)) message += " (database busy: another process holds the write lock)";
  throw StoreError(message, transient(rc));
}

class SqliteTransaction;

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(DbHandle db, std::string location)
      : db_(std::move(db)), location_(std::move(location)) {}
  ~SqliteConnection() override {
    statements_.clear();  // finalize before close
  }

  sqlite3* db() { return db_.get(); }
  const std::string& location() const { return location_; }

  void check(int rc, std::string_view what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) fail(db_.get(), rc, location_, what);
  }

  void exec(std::string_view sql) {
    const std::string text(sql);
    char* err = nullptr;
    const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      const auto snippet = text.substr(0, 120);
      throw StoreError("sqlite " + location_ + ": " + msg + " (in: " + snippet + ")", transient(rc));
    }
  }

  /// A prepared statement, cached by SQL text for reuse.
  sqlite3_stmt* prepare(std::string_view sql) {
    const std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second.get();
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), key.c_str(), static_cast<int>(key.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StmtHandle stmt(raw, &sqlite3_finalize);
    if (rc != SQLITE_OK) fail(db_.get(), rc, location_, "prepare " + key.substr(0, 120));
    if (!stmt) throw StoreError("sqlite " + location_ + ": empty statement");
    return statements_.emplace(key, std::move(stmt)).first->second.get();
  }

  void bind(sqlite3_stmt* stmt, const Params& params) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    const int count = sqlite3_bind_parameter_count(stmt);
    if (count != static_cast<int>(params.size())) {
      throw StoreError("sqlite " + location_ + ": statement takes " + std::to_string(count) +
                       " parameters, " + std::to_string(params.size()) + " given: " +
                       std::string(sqlite3_sql(stmt)).substr(0, 120));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const std::string name = "$" + std::to_string(i + 1);
      int index = sqlite3_bind_parameter_index(stmt, name.c_str());
      if (index == 0) {
        // Plain `?` placeholders are positional.
        if (sqlite3_bind_parameter_name(stmt, static_cast<int>(i + 1)) == nullptr) {
          index = static_cast<int>(i + 1);
        } else {
          throw StoreError("sqlite " + location_ + ": parameter " + name + " not used in: " +
                           std::string(sqlite3_sql(stmt)).substr(0, 120));
        }
      }
      const auto& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else {
        const auto& s = std::get<std::string>(v);
        rc = sqlite3_bind_text64(stmt, index, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      }
      check(rc, "bind " + name);
    }
  }

  /// Steps a bound statement to the end, collecting rows when `out` is given.
  void run(sqlite3_stmt* stmt, ResultSet* out) {
    std::shared_ptr<std::vector<std::string>> columns;
    const int ncol = sqlite3_column_count(stmt);
    if (out) {
      auto names = std::make_shared<std::vector<std::string>>();
      for (int c = 0; c < ncol; ++c) names->emplace_back(sqlite3_column_name(stmt, c));
      out->columns = *names;
      columns = std::move(names);
    }
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        const std::string sql = sqlite3_sql(stmt);
        sqlite3_reset(stmt);
        fail(db_.get(), rc, location_, "run " + sql.substr(0, 120));
      }
      if (!out) continue;
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(ncol));
      for (int c = 0; c < ncol; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER: values.emplace_back(std::int64_t{sqlite3_column_int64(stmt, c)}); break;
          case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(stmt, c)); break;
          case SQLITE_NULL: values.emplace_back(std::monostate{}); break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            const int bytes = sqlite3_column_bytes(stmt, c);
            values.emplace_back(std::string(text ? text : "", static_cast<std::size_t>(bytes)));
          }
        }
      }
      out->rows.emplace_back(columns, std::move(values));
    }
    sqlite3_reset(stmt);
  }

  /// Bounds the statement cache; only called when no statement is in use.
  void trim_cache() {
    if (statements_.size() > 256) statements_.clear();
  }

  ResultSet query(std::string_view sql, const Params& params) override {
    auto* stmt = prepare(sql);
    bind(stmt, params);
    ResultSet out;
    run(stmt, &out);
    return out;
  }

  void transaction(const std::function<void(Transaction&)>& body, bool read_only) override;

  bool broken() const override { return false; }

 private:
  DbHandle db_;
  std::string location_;
  std::map<std::string, StmtHandle, std::less<>> statements_;
};

class SqliteBulkInsert final : public BulkInsert {
 public:
  SqliteBulkInsert(SqliteConnection& conn, sqlite3_stmt* stmt, std::size_t columns)
      : conn_(conn), stmt_(stmt), columns_(columns) {}
  void add_row(const std::vector<Value>& values) override {
    if (values.size() != columns_) {
      throw StoreError("bulk insert: row of " + std::to_string(values.size()) + " values for " +
                       std::to_string(columns_) + " columns");
    }
    // The INSERT names its parameters $1..$n in order, so they bind by position; the values
    // outlive the step, so SQLite need not copy them.
    for (std::size_t i = 0; i < values.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      const auto& v = values[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt_, index);
      } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt_, index, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt_, index, *d);
      } else {
        const auto& text = std::get<std::string>(v);
        rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) conn_.check(rc, "bind bulk insert value");
    }
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    if (rc != SQLITE_DONE) conn_.check(rc == SQLITE_ROW ? SQLITE_MISUSE : rc, "bulk insert");
    ++rows_;
  }
  std::int64_t finish() override {
    sqlite3_clear_bindings(stmt_);
    return rows_;
  }

 private:
  SqliteConnection& conn_;
  sqlite3_stmt* stmt_;
  std::size_t columns_;
  std::int64_t rows_ = 0;
};

class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(SqliteConnection& conn) : conn_(conn) {}
  const Dialect& dialect() const override { return dialect_; }
  void execute(std::string_view sql) override { conn_.exec(sql); }
  std::int64_t execute(std::string_view sql, const Params& params) override {
    auto* stmt = conn_.prepare(sql);
    conn_.bind(stmt, params);
    conn_.run(stmt, nullptr);
    return sqlite3_changes64(conn_.db());
  }
  ResultSet query(std::string_view sql, const Params& params) override {
    return conn_.query(sql, params);
  }
  std::unique_ptr<BulkInsert> bulk_insert(std::string_view table,
                                          const std::vector<std::string>& columns) override {
    std::string sql = "INSERT INTO " + dialect_.quote_identifier(table) + " (";
    std::string values;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i) {
        sql += ", ";
        values += ", ";
      }
      sql += dialect_.quote_identifier(columns[i]);
      values += "$" + std::to_string(i + 1);
    }
    sql += ") VALUES (" + values + ")";
    return std::make_unique<SqliteBulkInsert>(conn_, conn_.prepare(sql), columns.size());
  }
  void lock(std::string_view) override {}  // BEGIN IMMEDIATE already serialises writers

 private:
  SqliteConnection& conn_;
  Dialect dialect_{Backend::kSqlite};
};

void SqliteConnection::transaction(const std::function<void(Transaction&)>& body,
                                   bool read_only) {
  // IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so a write
  // transaction never fails half-way when it first writes. Readers in WAL mode need no lock.
  trim_cache();
  exec(read_only ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
  if (read_only) exec("PRAGMA query_only = ON");
  struct QueryOnlyOff {
    SqliteConnection* conn;
    ~QueryOnlyOff() {
      if (conn) sqlite3_exec(conn->db(), "PRAGMA query_only = OFF", nullptr, nullptr, nullptr);
    }
  } query_only_off{read_only ? this : nullptr};
  try {
    SqliteTransaction tx(*this);
    body(tx);
    exec("COMMIT");
  } catch (...) {
    if (!sqlite3_get_autocommit(db_.get())) {
      char* err = nullptr;
      if (sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, &err) != SQLITE_OK) {
        core::log_error("sqlite rollback failed", {{"database", location_}, {"error", err ? err : ""}});
        sqlite3_free(err);
      }
    }
    throw;
  }
}

std::unique_ptr<Connection> open_connection(const std::string& path, bool uri,
                                            const std::string& location,
                                            const OpenOptions& options, bool memory) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (uri) flags |= SQLITE_OPEN_URI;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw, &sqlite3_close_v2);
  if (rc != SQLITE_OK) {
    std::string why = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    if (!uri && !memory) {
      const auto parent = std::filesystem::path(path).parent_path();
      if (!parent.empty() && !std::filesystem::exists(parent)) {
        why += " (directory " + parent.string() + " does not exist)";
      }
    }
    throw StoreError("sqlite: cannot open database " + location + ": " + why);
  }
  auto conn = std::make_unique<SqliteConnection>(std::move(db), location);
  conn->check(sqlite3_busy_timeout(conn->db(), static_cast<int>(options.busy_timeout.count())),
              "set busy_timeout");
  conn->check(sqlite3_extended_result_codes(conn->db(), 1), "enable extended result codes");
  try {
    conn->exec("PRAGMA foreign_keys = ON");
    if (!memory) {
      const auto mode = conn->query("PRAGMA journal_mode = WAL", {});
      if (mode.empty() || as_text(mode[0].at(0)) != "wal") {
        throw StoreError("sqlite: cannot switch " + location + " to WAL journal mode");
      }
      conn->exec("PRAGMA synchronous = NORMAL");
    }
    // Reading is the first thing that notices a file that is not a database.
    conn->query("SELECT count(*) FROM sqlite_master", {});
  } catch (const StoreError& e) {
    throw StoreError(std::string("sqlite: cannot use database ") + location + ": " + e.what(),
                     e.retryable());
  }
  return conn;
}

}  // namespace

std::string strip_sqlite_scheme(std::string_view url) {
  std::string path(url);
  for (std::string_view scheme : {"sqlite3://", "sqlite://"}) {
    if (path.rfind(scheme, 0) == 0) path = path.substr(scheme.size());
  }
  return path;
}

std::unique_ptr<Database::Impl> make_sqlite(std::string_view url, const OpenOptions& options) {
  const std::string path = strip_sqlite_scheme(url);
  if (path.empty()) throw StoreError("sqlite: empty database path (set database_url)");
  const bool uri = path.rfind("file:", 0) == 0;
  const bool memory = path == ":memory:" || (uri && path.find("mode=memory") != std::string::npos);
  const std::string location = core::mask_url_password(path);
  // Each connection to ":memory:" would be a database of its own: keep one.
  const std::size_t max = memory ? 1 : options.max_connections;
  Connector connector = [path, uri, location, options, memory] {
    return open_connection(path, uri, location, options, memory);
  };
  auto impl = std::make_unique<Database::Impl>(Dialect(Backend::kSqlite), location, options,
                                               std::move(connector), max);
  // data_version counts the commits of other connections: an in-memory database has no other.
  if (!memory) impl->version_query_ = "PRAGMA data_version";
  return impl;
}

}  // namespace vctp::store

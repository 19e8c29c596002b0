#include <algorithm>
#include <thread>

#include "backend.hpp"
#include "vctp/core/glob.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/secrets.hpp"

namespace vctp::store {

void BulkValues::null() { values.emplace_back(null_value()); }
void BulkValues::text(std::string_view s) { values.emplace_back(std::string(s)); }
void BulkValues::take_text(std::string& s) { values.emplace_back(std::move(s)); }
void BulkValues::integer(std::int64_t v) { values.emplace_back(v); }
void BulkValues::real(double v) { values.emplace_back(v); }
void BulkValues::boolean(bool v) { values.push_back(bool_value(v)); }
void BulkValues::time(std::chrono::system_clock::time_point t) { values.push_back(time_value(t)); }

BulkRow& BulkInsert::begin_row() {
  row_.values.clear();
  return row_;
}

void BulkInsert::end_row() { add_row(row_.values); }

std::unique_ptr<BulkInsert> Transaction::typed_bulk_insert(std::string_view table,
                                                           const std::vector<ColumnSpec>& columns) {
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (const auto& c : columns) names.emplace_back(c.name);
  return bulk_insert(table, names);
}

bool Transaction::table_exists(std::string_view name) {
  const std::string sql =
      dialect().backend() == Backend::kSqlite
          ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1"
          : "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_name = $1";
  return !query(sql, {std::string(name)}).empty();
}

std::vector<std::string> Transaction::list_tables(std::string_view glob) {
  const std::string sql =
      dialect().backend() == Backend::kSqlite
          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
          : "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_type = 'BASE TABLE'";
  std::vector<std::string> names;
  for (const auto& row : query(sql)) {
    auto name = row.get_text(0);
    if (core::glob_match(glob, name)) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Database::Impl::Impl(Dialect dialect, std::string location, OpenOptions options,
                     Connector connector, std::size_t max_connections)
    : dialect_(dialect),
      location_(std::move(location)),
      options_(options),
      connector_(std::move(connector)),
      max_connections_(std::max<std::size_t>(1, max_connections)) {}

Database::Impl::Lease::~Lease() {
  if (conn_) impl_->give_back(std::move(conn_));
}

void Database::Impl::give_back(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mutex_);
  if (conn->broken()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

std::unique_ptr<Connection> Database::Impl::connect_with_retry() {
  auto pause = options_.connect_backoff;
  const int attempts = std::max(1, options_.connect_attempts);
  for (int attempt = 1;; ++attempt) {
    try {
      return connector_();
    } catch (const StoreError& e) {
      if (!e.retryable() || attempt >= attempts) throw;
      if (options_.on_retry) options_.on_retry("connect", attempt, e);
      core::log_warn("database not reachable, retrying",
                     {{"driver", std::string(dialect_.name())},
                      {"database", location_},
                      {"attempt", std::to_string(attempt)},
                      {"of", std::to_string(attempts)},
                      {"retry_in_ms", std::to_string(pause.count())},
                      {"error", e.what()}});
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, options_.connect_backoff_max);
    }
  }
}

Database::Impl::Lease Database::Impl::acquire(bool retry_connect) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn));
    }
    if (open_ < max_connections_) {
      ++open_;
      lock.unlock();
      try {
        return Lease(*this, retry_connect ? connect_with_retry() : connector_());
      } catch (...) {
        lock.lock();
        --open_;
        available_.notify_one();
        throw;
      }
    }
    available_.wait(lock);
  }
}

void Database::Impl::with_retry(const std::function<void(Connection&)>& op) {
  const int attempts = std::max(1, options_.transaction_attempts);
  auto pause = options_.retry_backoff;
  for (int attempt = 1;; ++attempt) {
    auto lease = acquire();
    try {
      op(*lease.operator->());
      return;
    } catch (const StoreError& e) {
      if (!e.retryable() || attempt >= attempts) throw;
      if (options_.on_retry) options_.on_retry("transaction", attempt, e);
      core::log_warn("transient database failure, retrying the transaction",
                     {{"driver", std::string(dialect_.name())},
                      {"attempt", std::to_string(attempt)},
                      {"of", std::to_string(attempts)},
                      {"error", e.what()}});
    }
    // Give the connection back before sleeping so others can use it meanwhile.
    { auto released = std::move(lease); }
    const auto spread = options_.random->uniform(0, pause.count());
    std::this_thread::sleep_for(pause + std::chrono::milliseconds(spread));
    pause = std::min(pause * 2, std::chrono::milliseconds(2000));
  }
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;

const Dialect& Database::dialect() const { return impl_->dialect_; }
std::string_view Database::driver() const { return impl_->dialect_.name(); }
const std::string& Database::location() const { return impl_->location_; }

void Database::run_transaction(const std::function<void(Transaction&)>& body, bool read_only) {
  impl_->with_retry([&](Connection& conn) { conn.transaction(body, read_only); });
}

void Database::execute(std::string_view sql) {
  transact([&](Transaction& tx) { tx.execute(sql); });
}

std::int64_t Database::execute(std::string_view sql, const Params& params) {
  return transact([&](Transaction& tx) { return tx.execute(sql, params); });
}

ResultSet Database::query(std::string_view sql, const Params& params) {
  ResultSet result;
  impl_->with_retry([&](Connection& conn) { result = conn.query(sql, params); });
  return result;
}

bool Database::table_exists(std::string_view name) {
  return read([&](Transaction& tx) { return tx.table_exists(name); });
}

std::vector<std::string> Database::list_tables(std::string_view glob) {
  return read([&](Transaction& tx) { return tx.list_tables(glob); });
}

int Database::schema_version() {
  return read([](Transaction& tx) {
    if (!tx.table_exists("schema_version")) return 0;
    return static_cast<int>(
        tx.query("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0].get_int(0));
  });
}

void Database::ping() {
  auto lease = impl_->acquire(false);
  lease->query("SELECT 1", {});
}

std::optional<std::string> Database::data_version() {
  auto& impl = *impl_;
  if (impl.version_query_.empty()) return std::nullopt;
  std::lock_guard lock(impl.version_mutex_);
  if (!impl.version_conn_ || impl.version_conn_->broken()) impl.version_conn_ = impl.connect();
  const auto rs = impl.version_conn_->query(impl.version_query_, {});
  if (rs.empty()) throw StoreError("data_version: the database gave no answer");
  const auto& v = rs[0].values()[0];
  if (std::holds_alternative<std::int64_t>(v)) return std::to_string(std::get<std::int64_t>(v));
  if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
  throw StoreError("data_version: unexpected answer");
}

std::optional<std::filesystem::path> sqlite_file_path(std::string_view driver, std::string_view url) {
  if (driver != "sqlite" && driver != "sqlite3") return std::nullopt;
  std::string path = strip_sqlite_scheme(url);
  if (path == ":memory:") return std::nullopt;
  if (path.rfind("file:", 0) == 0) {
    if (path.find("mode=memory") != std::string::npos) return std::nullopt;
    path = path.substr(5);
    path = path.substr(0, path.find('?'));
    if (path.rfind("//", 0) == 0) {  // file://host/path or file:///path
      const auto slash = path.find('/', 2);
      path = slash == std::string::npos ? "" : path.substr(slash);
    }
  }
  if (path.empty()) return std::nullopt;
  return std::filesystem::path(path);
}

std::unique_ptr<Database> open_database(std::string_view driver, std::string_view url,
                                        const OpenOptions& options) {
  std::unique_ptr<Database::Impl> impl;
  if (driver == "sqlite" || driver == "sqlite3") {
    impl = make_sqlite(url, options);
  } else if (driver == "postgres" || driver == "postgresql" || driver == "pgx") {
    impl = make_postgres(url, options);
  } else {
    throw StoreError("unknown database driver '" + std::string(driver) +
                     "' (expected sqlite or postgres) for " + core::mask_url_password(url));
  }
  // Fail at start-up, not at first use: open one connection now (with the retry policy).
  { auto first = impl->acquire(); }
  auto db = std::make_unique<Database>(std::move(impl));
  migrate(*db, options.migrate);
  core::log_info("database opened", {{"driver", std::string(db->driver())},
                                     {"database", db->location()},
                                     {"schema_version", std::to_string(db->schema_version())}});
  return db;
}

}  // namespace vctp::store

#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <utility>

#include "backend.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/secrets.hpp"

namespace vctp::store::pg {
/// A Value as libpqxx sees a statement parameter or a COPY field.
struct Field {
  const Value* value = nullptr;
};
}  // namespace vctp::store::pg

namespace pqxx {
template <>
struct string_traits<vctp::store::pg::Field> {
  static constexpr const char* name() noexcept { return "vctp::store::Value"; }
  static constexpr bool has_null() noexcept { return true; }
  static bool is_null(const vctp::store::pg::Field& f) {
    return f.value == nullptr || vctp::store::is_null(*f.value);
  }
  static vctp::store::pg::Field null() { return {}; }
  static void from_string(const char[], vctp::store::pg::Field&) {
    throw conversion_error("vctp::store::Value is write-only");
  }
  static std::string to_string(const vctp::store::pg::Field& f) {
    return vctp::store::as_text(*f.value);
  }
};
}  // namespace pqxx

namespace vctp::store {

namespace {

constexpr std::size_t kMaxCopyColumns = 48;

/// What we know of a DSN's target, for messages (never the password).
struct Target {
  std::string host;
  std::string port;
  std::string database;
  std::string user;
  std::string password;
};

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      const auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

Target parse_target(std::string_view url) {
  Target t;
  const auto scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    auto rest = url.substr(scheme + 3);
    const auto end = rest.find_first_of("/?");
    auto authority = rest.substr(0, end);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
      auto userinfo = authority.substr(0, at);
      authority = authority.substr(at + 1);
      const auto colon = userinfo.find(':');
      t.user = percent_decode(userinfo.substr(0, colon));
      if (colon != std::string_view::npos) t.password = percent_decode(userinfo.substr(colon + 1));
    }
    // host[:port]; IPv6 in brackets
    if (!authority.empty() && authority.front() == '[') {
      const auto close = authority.find(']');
      t.host = std::string(authority.substr(0, close + 1));
      if (close != std::string_view::npos && close + 1 < authority.size() && authority[close + 1] == ':') {
        t.port = std::string(authority.substr(close + 2));
      }
    } else {
      const auto colon = authority.rfind(':');
      t.host = std::string(authority.substr(0, colon));
      if (colon != std::string_view::npos) t.port = std::string(authority.substr(colon + 1));
    }
    if (end != std::string_view::npos && rest[end] == '/') {
      auto db = rest.substr(end + 1);
      t.database = percent_decode(db.substr(0, db.find('?')));
    }
    // ?host=/path style
    if (const auto q = url.find("?host="); q != std::string_view::npos && t.host.empty()) {
      auto h = url.substr(q + 6);
      t.host = std::string(h.substr(0, h.find('&')));
    }
  } else {  // key=value pairs
    for (const auto& field : core::parse_dsn_fields(url)) {
      const std::string& key = field.key;
      const std::string& value = field.value;
      if (key == "host" || key == "hostaddr") t.host = value;
      if (key == "port") t.port = value;
      if (key == "dbname") t.database = value;
      if (key == "user") t.user = value;
      if (key == "password") t.password = value;
    }
  }
  if (t.host.empty()) t.host = "localhost (unix socket)";
  return t;
}

std::string host_port(const Target& t) { return t.port.empty() ? t.host : t.host + ":" + t.port; }

/// Removes any trace of the password from a libpq message.
std::string scrub(std::string message, const Target& t) {
  if (t.password.size() >= 1) {
    for (std::size_t pos; (pos = message.find(t.password)) != std::string::npos;) {
      message.replace(pos, t.password.size(), "****");
    }
  }
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  for (auto& c : message) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return message;
}

bool transient_connect_failure(const std::string& message) {
  for (const char* phrase :
       {"Connection refused", "the database system is starting up",
        "the database system is shutting down", "the database system is in recovery mode",
        "the database system is not yet accepting connections", "timeout expired",
        "Network is unreachable", "No route to host", "too many clients",
        "Temporary failure in name resolution", "No such file or directory",
        "server closed the connection unexpectedly"}) {
    if (message.find(phrase) != std::string::npos) return true;
  }
  return false;
}

/// timestamptz text (ISO DateStyle, UTC) → 2026-11-24T13:00:00Z.
std::string normalise_time(std::string_view text) {
  std::string out(text.substr(0, 19));
  if (out.size() == 19 && out[10] == ' ') out[10] = 'T';
  if (out.size() != 19) return std::string(text);  // infinity, BC dates: leave as they are
  out += 'Z';
  return out;
}

class PgConnection;

/// Rethrows the exception being handled as a StoreError when it comes from libpqxx.
[[noreturn]] void rethrow_translated(const Target& target, bool* broken) {
  const std::string where = "postgres " + host_port(target) + ": ";
  try {
    throw;
  } catch (const StoreError&) {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    if (broken) *broken = true;
    throw StoreError(where + "connection lost during commit, the outcome is unknown: " +
                     scrub(e.what(), target));
  } catch (const pqxx::broken_connection& e) {
    if (broken) *broken = true;
    throw StoreError(where + "connection lost: " + scrub(e.what(), target), true);
  } catch (const pqxx::serialization_failure& e) {
    throw StoreError(where + "serialization failure: " + scrub(e.what(), target), true);
  } catch (const pqxx::deadlock_detected& e) {
    throw StoreError(where + "deadlock: " + scrub(e.what(), target), true);
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    const bool retry = state == "40001" || state == "40P01" || state == "55P03";
    std::string query = e.query();
    if (query.size() > 160) query = query.substr(0, 160) + "...";
    throw StoreError(where + scrub(e.what(), target) + (state.empty() ? "" : " [" + state + "]") +
                         " (in: " + scrub(query, target) + ")",
                     retry);
  } catch (const pqxx::transaction_rollback& e) {
    throw StoreError(where + "transaction rolled back: " + scrub(e.what(), target), true);
  } catch (const pqxx::failure& e) {
    throw StoreError(where + scrub(e.what(), target));
  } catch (const pqxx::usage_error& e) {
    throw StoreError(where + "usage error: " + e.what());
  } catch (const pqxx::conversion_error& e) {
    throw StoreError(where + "conversion error: " + e.what());
  }
}

ResultSet convert(const pqxx::result& r) {
  ResultSet out;
  const auto ncol = static_cast<std::size_t>(r.columns());
  std::vector<pqxx::oid> types;
  for (std::size_t c = 0; c < ncol; ++c) {
    out.columns.emplace_back(r.column_name(static_cast<pqxx::row::size_type>(c)));
    types.push_back(r.column_type(static_cast<pqxx::row::size_type>(c)));
  }
  auto columns = std::make_shared<const std::vector<std::string>>(out.columns);
  out.rows.reserve(r.size());
  for (const auto& row : r) {
    std::vector<Value> values;
    values.reserve(ncol);
    for (std::size_t c = 0; c < ncol; ++c) {
      const auto f = row[static_cast<pqxx::row::size_type>(c)];
      if (f.is_null()) {
        values.emplace_back(std::monostate{});
        continue;
      }
      const std::string_view text(f.c_str(), f.size());
      switch (types[c]) {
        case 20: case 21: case 23: case 26: {  // int8 int2 int4 oid
          std::int64_t v = 0;
          std::from_chars(text.data(), text.data() + text.size(), v);
          values.emplace_back(v);
          break;
        }
        case 700: case 701: case 1700:  // float4 float8 numeric
          values.emplace_back(std::strtod(f.c_str(), nullptr));
          break;
        case 16:  // bool
          values.emplace_back(std::int64_t{text == "t" ? 1 : 0});
          break;
        case 1184: case 1114:  // timestamptz timestamp
          values.emplace_back(normalise_time(text));
          break;
        default:
          values.emplace_back(std::string(text));
      }
    }
    out.rows.emplace_back(columns, std::move(values));
  }
  return out;
}

std::vector<pg::Field> fields(const Params& params) {
  std::vector<pg::Field> out;
  out.reserve(params.size());
  for (const auto& p : params) out.push_back({&p});
  return out;
}

using CopyWriter = void (*)(pqxx::stream_to&, const std::vector<Value>&);

template <std::size_t N>
void copy_row(pqxx::stream_to& stream, const std::vector<Value>& values) {
  std::array<pg::Field, N> row;
  for (std::size_t i = 0; i < N; ++i) row[i].value = &values[i];
  stream << row;
}

template <std::size_t... I>
constexpr std::array<CopyWriter, sizeof...(I)> make_copy_writers(std::index_sequence<I...>) {
  return {{&copy_row<I + 1>...}};
}

constexpr auto kCopyWriters = make_copy_writers(std::make_index_sequence<kMaxCopyColumns>());

class PgBulkInsert final : public BulkInsert {
 public:
  PgBulkInsert(pqxx::work& work, const std::string& table, const std::vector<std::string>& columns,
               const Target& target)
      : stream_(work, table, columns), columns_(columns.size()), target_(target) {}
  ~PgBulkInsert() override {
    if (!finished_) {
      try {
        stream_.complete();
      } catch (const std::exception&) {
        // The transaction is being abandoned anyway.
      }
    }
  }
  void add_row(const std::vector<Value>& values) override {
    if (values.size() != columns_) {
      throw StoreError("bulk insert: row of " + std::to_string(values.size()) + " values for " +
                       std::to_string(columns_) + " columns");
    }
    try {
      kCopyWriters[columns_ - 1](stream_, values);
    } catch (...) {
      rethrow_translated(target_, nullptr);
    }
    ++rows_;
  }
  std::int64_t finish() override {
    finished_ = true;
    try {
      stream_.complete();
    } catch (...) {
      rethrow_translated(target_, nullptr);
    }
    return rows_;
  }

 private:
  pqxx::stream_to stream_;
  std::size_t columns_;
  const Target& target_;
  std::int64_t rows_ = 0;
  bool finished_ = false;
};

class PgTransaction final : public Transaction {
 public:
  PgTransaction(pqxx::work& work, const Target& target) : work_(work), target_(target) {}
  const Dialect& dialect() const override { return dialect_; }
  void execute(std::string_view sql) override {
    try {
      work_.exec(std::string(sql));
    } catch (...) {
      rethrow_translated(target_, nullptr);
    }
  }
  std::int64_t execute(std::string_view sql, const Params& params) override {
    try {
      const auto f = fields(params);
      return work_.exec_params(std::string(sql), pqxx::prepare::make_dynamic_params(f))
          .affected_rows();
    } catch (...) {
      rethrow_translated(target_, nullptr);
    }
  }
  ResultSet query(std::string_view sql, const Params& params) override {
    try {
      if (params.empty()) return convert(work_.exec(std::string(sql)));
      const auto f = fields(params);
      return convert(work_.exec_params(std::string(sql), pqxx::prepare::make_dynamic_params(f)));
    } catch (...) {
      rethrow_translated(target_, nullptr);
    }
  }
  std::unique_ptr<BulkInsert> bulk_insert(std::string_view table,
                                          const std::vector<std::string>& columns) override {
    if (columns.empty() || columns.size() > kMaxCopyColumns) {
      throw StoreError("bulk insert: between 1 and " + std::to_string(kMaxCopyColumns) +
                       " columns supported, " + std::to_string(columns.size()) + " given");
    }
    std::vector<std::string> quoted;
    for (const auto& c : columns) quoted.push_back(dialect_.quote_identifier(c));
    try {
      return std::make_unique<PgBulkInsert>(work_, dialect_.quote_identifier(table), quoted,
                                            target_);
    } catch (...) {
      rethrow_translated(target_, nullptr);
    }
  }
  void lock(std::string_view name) override {
    execute("SELECT pg_advisory_xact_lock(hashtext($1))", {std::string(name)});
  }

 private:
  pqxx::work& work_;
  const Target& target_;
  Dialect dialect_{Backend::kPostgres};
};

class PgConnection final : public Connection {
 public:
  PgConnection(std::unique_ptr<pqxx::connection> conn, Target target)
      : conn_(std::move(conn)), target_(std::move(target)) {}

  void transaction(const std::function<void(Transaction&)>& body, bool read_only) override {
    try {
      pqxx::work work(*conn_);
      if (read_only) work.exec("SET TRANSACTION READ ONLY");
      PgTransaction tx(work, target_);
      body(tx);
      work.commit();
    } catch (...) {
      if (!conn_->is_open()) broken_ = true;
      rethrow_translated(target_, &broken_);
    }
  }

  ResultSet query(std::string_view sql, const Params& params) override {
    try {
      pqxx::nontransaction work(*conn_);
      if (params.empty()) return convert(work.exec(std::string(sql)));
      const auto f = fields(params);
      return convert(work.exec_params(std::string(sql), pqxx::prepare::make_dynamic_params(f)));
    } catch (...) {
      if (!conn_->is_open()) broken_ = true;
      rethrow_translated(target_, &broken_);
    }
  }

  bool broken() const override { return broken_ || !conn_->is_open(); }

 private:
  std::unique_ptr<pqxx::connection> conn_;
  Target target_;
  bool broken_ = false;
};

std::unique_ptr<Connection> connect(const std::string& url, const Target& target) {
  const std::string where = "postgres: cannot connect to " + host_port(target) +
                            (target.database.empty() ? "" : " database " + target.database) +
                            (target.user.empty() ? "" : " as " + target.user) + " (" +
                            core::mask_url_password(url) + "): ";
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(url);
  } catch (const pqxx::broken_connection& e) {
    const std::string msg = scrub(e.what(), target);
    throw StoreError(where + msg, transient_connect_failure(msg));
  } catch (const std::exception& e) {
    throw StoreError(where + scrub(e.what(), target));
  }
  try {
    pqxx::nontransaction work(*conn);
    work.exec("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'");
  } catch (const std::exception& e) {
    throw StoreError(where + "session set-up failed: " + scrub(e.what(), target), true);
  }
  return std::make_unique<PgConnection>(std::move(conn), target);
}

}  // namespace

std::unique_ptr<Database::Impl> make_postgres(std::string_view url, const OpenOptions& options) {
  const std::string dsn(url);
  if (dsn.empty()) throw StoreError("postgres: empty DSN (set database_url)");
  const Target target = parse_target(dsn);
  Connector connector = [dsn, target] { return connect(dsn, target); };
  auto impl = std::make_unique<Database::Impl>(Dialect(Backend::kPostgres),
                                               core::mask_url_password(dsn), options,
                                               std::move(connector), options.max_connections);
  impl->version_query_ = "SELECT pg_current_snapshot()::text";
  return impl;
}

}  // namespace vctp::store

#include <libpq-fe.h>

#include <array>
#include <bit>
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

/// libpqxx's direct connection policy, remembering libpq's handle: libpqxx 6 has no API for a
/// binary COPY, which PgBinaryCopy sends with libpq on the same connection (and transaction).
class HandlePolicy final : public pqxx::connect_direct {
 public:
  explicit HandlePolicy(const std::string& options) : connect_direct(options) {}
  handle do_startconnect(handle orig) override { return handle_ = connect_direct::do_startconnect(orig); }
  handle do_completeconnect(handle orig) override { return handle_ = connect_direct::do_completeconnect(orig); }
  handle do_dropconnect(handle orig) noexcept override { return handle_ = connect_direct::do_dropconnect(orig); }
  handle do_disconnect(handle orig) noexcept override { return handle_ = connect_direct::do_disconnect(orig); }
  PGconn* raw() const { return handle_; }

 private:
  handle handle_ = nullptr;
};

/// pqxx::connection (basic_connection_base<connect_direct>) with its libpq handle reachable.
class PqConnection final : public pqxx::connection_base {
 public:
  explicit PqConnection(const std::string& options)
      : connection_base(policy_), options_(options), policy_(options_) {
    init();
  }
  ~PqConnection() noexcept { close(); }
  PqConnection(const PqConnection&) = delete;
  PqConnection& operator=(const PqConnection&) = delete;
  /// The libpq connection, or nullptr when closed.
  PGconn* raw() const { return policy_.raw(); }

 private:
  std::string options_;
  HandlePolicy policy_;
};

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

/// PostgreSQL's type oids of the columns a binary COPY writes, by ColumnType.
pqxx::oid binary_type_oid(ColumnType type) {
  switch (type) {
    case ColumnType::kText: return 25;    // text
    case ColumnType::kInt: return 20;     // int8
    case ColumnType::kReal: return 701;   // float8
    case ColumnType::kBool: return 16;    // bool
    case ColumnType::kTime: return 1184;  // timestamptz
  }
  return 0;
}

/// Seconds from the Unix epoch to PostgreSQL's (2000-01-01T00:00:00Z).
constexpr std::int64_t kPgEpochUnixSeconds = 946'684'800;

/// Rows in COPY's binary format (a 16-bit field count, then each field's 32-bit length, -1 for
/// NULL, and its bytes in network order), fields checked against the columns' types.
class BinaryRowEncoder final : public BulkRow {
 public:
  explicit BinaryRowEncoder(std::vector<ColumnSpec> columns) : columns_(std::move(columns)) {
    static constexpr char kSignature[] = "PGCOPY\n\377\r\n";
    buffer_.reserve(kFlushBytes + 4096);
    buffer_.append(kSignature, sizeof kSignature);  // 11 bytes, with the trailing '\0'
    put32(0);                                       // flags
    put32(0);                                       // header extension length
  }
  void begin() {
    field_ = 0;
    put16(static_cast<std::uint16_t>(columns_.size()));
  }
  void end() {
    if (field_ != columns_.size()) {
      throw StoreError("bulk insert: row of " + std::to_string(field_) + " values for " +
                       std::to_string(columns_.size()) + " columns");
    }
  }
  void trailer() { put16(0xffff); }
  std::string& buffer() { return buffer_; }
  bool full() const { return buffer_.size() >= kFlushBytes; }
  const std::vector<ColumnSpec>& columns() const { return columns_; }

  void null() override {
    next(nullptr);
    put32(0xffffffffu);
  }
  void text(std::string_view s) override {
    next(ColumnType::kText);
    if (s.size() > 0x3fffffffu) throw StoreError("bulk insert: a text value of more than 1 GB");
    put32(static_cast<std::uint32_t>(s.size()));
    buffer_.append(s);
  }
  void integer(std::int64_t v) override {
    next(ColumnType::kInt);
    put32(8);
    put64(static_cast<std::uint64_t>(v));
  }
  void real(double v) override {
    next(ColumnType::kReal);
    put32(8);
    put64(std::bit_cast<std::uint64_t>(v));
  }
  void boolean(bool v) override {
    next(ColumnType::kBool);
    put32(1);
    buffer_.push_back(v ? '\1' : '\0');
  }
  void time(std::chrono::system_clock::time_point t) override {
    next(ColumnType::kTime);
    // To the second, as time_value() gives it to the other paths.
    const std::int64_t seconds = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
    put32(8);
    put64(static_cast<std::uint64_t>((seconds - kPgEpochUnixSeconds) * 1'000'000));
  }

 private:
  static constexpr std::size_t kFlushBytes = 256 * 1024;

  /// Moves to the next field, checking that a value of `type` (nullptr: NULL) belongs there.
  void next(const ColumnType* type) {
    if (field_ >= columns_.size()) {
      throw StoreError("bulk insert: more values than the " + std::to_string(columns_.size()) +
                       " columns");
    }
    const auto& column = columns_[field_];
    if (type && *type != column.type) {
      throw StoreError("bulk insert: a value of the wrong type for column " +
                       std::string(column.name));
    }
    ++field_;
  }
  void next(ColumnType type) { next(&type); }
  void put16(std::uint16_t v) {
    const char bytes[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
    buffer_.append(bytes, 2);
  }
  void put32(std::uint32_t v) {
    const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                           static_cast<char>(v >> 8), static_cast<char>(v)};
    buffer_.append(bytes, 4);
  }
  void put64(std::uint64_t v) {
    put32(static_cast<std::uint32_t>(v >> 32));
    put32(static_cast<std::uint32_t>(v));
  }

  std::vector<ColumnSpec> columns_;
  std::string buffer_;
  std::size_t field_ = 0;
};

/// The error of a libpq call on `conn` as a StoreError, like rethrow_translated does for
/// libpqxx's: retryable for serialization failures, deadlocks and lock timeouts, and for a
/// lost connection.
StoreError copy_error(PGconn* conn, const PGresult* result, const std::string& sql,
                      const Target& target) {
  const std::string where = "postgres " + host_port(target) + ": ";
  const char* message = result ? PQresultErrorMessage(result) : nullptr;
  std::string text = scrub(message && *message ? message : PQerrorMessage(conn), target);
  if (PQstatus(conn) == CONNECTION_BAD) return StoreError(where + "connection lost: " + text, true);
  const char* field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = field ? field : "";
  const bool retry = state == "40001" || state == "40P01" || state == "55P03";
  return StoreError(where + text + (state.empty() ? "" : " [" + state + "]") + " (in: " +
                        scrub(sql.substr(0, 160), target) + ")",
                    retry);
}

/// COPY ... FROM STDIN (FORMAT binary), sent with libpq on the transaction's connection:
/// no value is turned into text, neither here nor by the server.
class PgBinaryCopy final : public BulkInsert {
 public:
  PgBinaryCopy(PGconn* conn, std::string sql, std::vector<ColumnSpec> columns, const Target& target)
      : conn_(conn), sql_(std::move(sql)), encoder_(std::move(columns)), target_(target) {
    PGresult* result = PQexec(conn_, sql_.c_str());
    const bool started = PQresultStatus(result) == PGRES_COPY_IN;
    if (!started) {
      auto error = copy_error(conn_, result, sql_, target_);
      PQclear(result);
      drain();
      throw error;
    }
    PQclear(result);
  }
  ~PgBinaryCopy() override {
    if (open_) {
      // Abandoned (the row source threw): the server rolls the COPY back, and with it the
      // transaction, which the caller is abandoning anyway.
      PQputCopyEnd(conn_, "bulk insert abandoned");
      drain();
    }
  }
  PgBinaryCopy(const PgBinaryCopy&) = delete;
  PgBinaryCopy& operator=(const PgBinaryCopy&) = delete;

  BulkRow& begin_row() override {
    encoder_.begin();
    return encoder_;
  }
  void end_row() override {
    encoder_.end();
    ++rows_;
    if (encoder_.full()) send();
  }
  void add_row(const std::vector<Value>& values) override;
  std::int64_t finish() override;

 private:
  void send() {
    auto& buffer = encoder_.buffer();
    if (PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) != 1) fail();
    buffer.clear();
  }
  /// Ends the COPY after a failed call and throws the server's error (or libpq's).
  [[noreturn]] void fail();
  /// Reads every pending result, ending a COPY still in progress; returns the first error
  /// result's StoreError, if any.
  std::optional<StoreError> drain();

  PGconn* conn_;
  std::string sql_;
  BinaryRowEncoder encoder_;
  const Target& target_;
  std::int64_t rows_ = 0;
  bool open_ = true;
};

void PgBinaryCopy::add_row(const std::vector<Value>& values) {
  const auto& columns = encoder_.columns();
  auto& row = begin_row();
  for (std::size_t i = 0; i < values.size() && i < columns.size(); ++i) {
    const auto& v = values[i];
    if (is_null(v)) {
      row.null();
      continue;
    }
    switch (columns[i].type) {
      case ColumnType::kText: row.text(as_text(v)); break;
      case ColumnType::kInt: row.integer(as_int(v)); break;
      case ColumnType::kReal: row.real(as_double(v)); break;
      case ColumnType::kBool: row.boolean(as_bool(v)); break;
      case ColumnType::kTime: row.time(as_time(v)); break;
    }
  }
  if (values.size() > columns.size()) row.null();  // reports the extra values
  end_row();
}

std::int64_t PgBinaryCopy::finish() {
  encoder_.trailer();
  send();
  open_ = false;
  if (PQputCopyEnd(conn_, nullptr) != 1) fail();
  PGresult* result = PQgetResult(conn_);
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  std::optional<StoreError> error;
  if (!ok) error = copy_error(conn_, result, sql_, target_);
  PQclear(result);
  const auto later = drain();
  if (error) throw *error;
  if (later) throw *later;
  return rows_;
}

void PgBinaryCopy::fail() {
  open_ = false;
  auto error = drain();
  throw error ? *error : copy_error(conn_, nullptr, sql_, target_);
}

std::optional<StoreError> PgBinaryCopy::drain() {
  std::optional<StoreError> error;
  while (PGresult* result = PQgetResult(conn_)) {
    const auto status = PQresultStatus(result);
    if (status == PGRES_COPY_IN) {
      PQclear(result);
      if (PQputCopyEnd(conn_, "bulk insert failed") != 1) break;
      continue;
    }
    if (status != PGRES_COMMAND_OK && !error) error = copy_error(conn_, result, sql_, target_);
    PQclear(result);
    if (PQstatus(conn_) == CONNECTION_BAD) break;
  }
  return error;
}

class PgTransaction final : public Transaction {
 public:
  PgTransaction(pqxx::work& work, const PqConnection& conn, const Target& target)
      : work_(work), conn_(conn), target_(target) {}
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
  std::unique_ptr<BulkInsert> typed_bulk_insert(std::string_view table,
                                                const std::vector<ColumnSpec>& columns) override;
  void lock(std::string_view name) override {
    execute("SELECT pg_advisory_xact_lock(hashtext($1))", {std::string(name)});
  }

 private:
  /// Whether the table's columns named in `columns` have exactly the types a binary COPY of
  /// them writes (a table of another shape, made by hand or by an older release, takes text).
  bool binary_compatible(const std::string& quoted_table, const std::vector<ColumnSpec>& columns);

  pqxx::work& work_;
  const PqConnection& conn_;
  const Target& target_;
  Dialect dialect_{Backend::kPostgres};
};

std::unique_ptr<BulkInsert> PgTransaction::typed_bulk_insert(std::string_view table,
                                                             const std::vector<ColumnSpec>& columns) {
  const auto quoted = dialect_.quote_identifier(table);
  std::string sql = "COPY " + quoted + " (";
  std::vector<std::string> names;
  for (const auto& c : columns) {
    sql += (names.empty() ? "" : ", ") + dialect_.quote_identifier(c.name);
    names.emplace_back(c.name);
  }
  sql += ") FROM STDIN (FORMAT binary)";
  if (columns.empty() || columns.size() > kMaxCopyColumns || !conn_.raw() ||
      !binary_compatible(quoted, columns)) {
    return bulk_insert(table, names);
  }
  return std::make_unique<PgBinaryCopy>(conn_.raw(), std::move(sql), columns, target_);
}

bool PgTransaction::binary_compatible(const std::string& quoted_table,
                                      const std::vector<ColumnSpec>& columns) {
  const auto types = query(
      "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = to_regclass($1) "
      "AND attnum > 0 AND NOT attisdropped",
      {quoted_table});
  for (const auto& c : columns) {
    bool found = false;
    for (const auto& row : types) {
      if (row.get_text(0) != c.name) continue;
      if (row.get_int(1) != static_cast<std::int64_t>(binary_type_oid(c.type))) return false;
      found = true;
    }
    if (!found) return false;
  }
  return true;
}

class PgConnection final : public Connection {
 public:
  PgConnection(std::unique_ptr<PqConnection> conn, Target target)
      : conn_(std::move(conn)), target_(std::move(target)) {}

  void transaction(const std::function<void(Transaction&)>& body, bool read_only) override {
    try {
      pqxx::work work(*conn_);
      if (read_only) work.exec("SET TRANSACTION READ ONLY");
      PgTransaction tx(work, *conn_, target_);
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
  std::unique_ptr<PqConnection> conn_;
  Target target_;
  bool broken_ = false;
};

std::unique_ptr<Connection> connect(const std::string& url, const Target& target) {
  const std::string where = "postgres: cannot connect to " + host_port(target) +
                            (target.database.empty() ? "" : " database " + target.database) +
                            (target.user.empty() ? "" : " as " + target.user) + " (" +
                            core::mask_url_password(url) + "): ";
  std::unique_ptr<PqConnection> conn;
  try {
    conn = std::make_unique<PqConnection>(url);
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

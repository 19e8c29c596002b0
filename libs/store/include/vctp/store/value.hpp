#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vctp::store {

/// One SQL value as both backends return it: NULL, integer, floating point or text.
/// Booleans are integers 0/1; times are ISO 8601 UTC text ("2026-11-24T13:00:00Z") whichever
/// the backend (PostgreSQL timestamptz values are normalised to that form).
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

/// Statement parameters, bound to `$1`, `$2`, ... in SQL text (the same syntax on both backends).
using Params = std::vector<Value>;

/// SQL NULL.
inline Value null_value() { return std::monostate{}; }
/// A boolean parameter (stored as 0/1 in SQLite, boolean in PostgreSQL).
inline Value bool_value(bool b) { return std::int64_t{b ? 1 : 0}; }
/// A time parameter, as ISO 8601 UTC text (PostgreSQL casts it to timestamptz).
Value time_value(std::chrono::system_clock::time_point t);
/// A time parameter, or NULL.
Value time_value(const std::optional<std::chrono::system_clock::time_point>& t);
/// A text parameter, or NULL.
Value text_value(const std::optional<std::string>& s);

bool is_null(const Value& v);
/// Integer value (a double is truncated, numeric text parsed); throws StoreError on NULL or text.
std::int64_t as_int(const Value& v);
double as_double(const Value& v);
/// Text of any non-NULL value; "" for NULL.
std::string as_text(const Value& v);
/// 0/1 integers, "t"/"true"/"1"; throws StoreError on NULL.
bool as_bool(const Value& v);
/// Parses ISO 8601 text (also PostgreSQL's "2026-11-24 13:00:00+00"); throws StoreError.
std::chrono::system_clock::time_point as_time(const Value& v);

/// A column, by position or by name.
struct Col {
  Col(std::size_t i) : index(i) {}
  Col(int i) : index(static_cast<std::size_t>(i)) {}
  Col(const char* n) : name(n) {}
  Col(std::string_view n) : name(n) {}
  Col(const std::string& n) : name(n) {}
  std::optional<std::size_t> index;
  std::string_view name;
};

/// One result row with typed accessors; column names are shared with its ResultSet.
class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<Value> values);

  std::size_t size() const { return values_.size(); }
  /// The value of a column; throws StoreError for an unknown column.
  const Value& at(Col c) const;
  bool is_null(Col c) const { return store::is_null(at(c)); }
  std::int64_t get_int(Col c) const { return as_int(at(c)); }
  double get_double(Col c) const { return as_double(at(c)); }
  std::string get_text(Col c) const { return as_text(at(c)); }
  bool get_bool(Col c) const { return as_bool(at(c)); }
  std::chrono::system_clock::time_point get_time(Col c) const { return as_time(at(c)); }
  std::optional<std::int64_t> get_opt_int(Col c) const;
  std::optional<double> get_opt_double(Col c) const;
  std::optional<std::string> get_opt_text(Col c) const;
  std::optional<std::chrono::system_clock::time_point> get_opt_time(Col c) const;
  const std::vector<Value>& values() const { return values_; }

 private:
  std::shared_ptr<const std::vector<std::string>> columns_;
  std::vector<Value> values_;
};

/// The rows of a query with their column names.
struct ResultSet {
  std::vector<std::string> columns;
  std::vector<Row> rows;

  bool empty() const { return rows.empty(); }
  std::size_t size() const { return rows.size(); }
  const Row& operator[](std::size_t i) const { return rows.at(i); }
  auto begin() const { return rows.begin(); }
  auto end() const { return rows.end(); }
};

}  // namespace vctp::store

#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "vctp/store/dialect.hpp"
#include "vctp/store/value.hpp"

namespace vctp::store {

enum class ColumnType { kText, kInt, kReal, kBool, kTime };

/// The SQL type of a column of `type` (TEXT, BIGINT, ..., the dialect's timestamp type).
std::string_view sql_type(const Dialect& dialect, ColumnType type);

/// The placeholder `$n` as a value of a column of `type` (a 0/1 integer as a boolean, ISO text
/// as a timestamp, where the backend needs it said).
std::string value_placeholder(const Dialect& dialect, ColumnType type, int n);

/// A column's name, type and nullability: what CREATE TABLE needs.
struct ColumnSpec {
  std::string_view name;
  ColumnType type;
  bool not_null = false;
};

/// `CREATE TABLE [IF NOT EXISTS] "table" (name type [NOT NULL], ...)`.
std::string create_table_sql(const Dialect& dialect, std::string_view table, const std::vector<ColumnSpec>& columns,
                             bool if_not_exists = false);

/// A column that holds one field of `Record`. The field's C++ type gives the column's type, so
/// the statement that writes the column, the one that creates it and the code that reads it
/// back all come from this one entry.
template <typename Record>
struct Column {
  using TimePoint = std::chrono::system_clock::time_point;
  using Field = std::variant<std::string Record::*, std::int64_t Record::*, double Record::*, bool Record::*,
                             TimePoint Record::*, std::optional<TimePoint> Record::*>;

  std::string_view name;
  Field field;
  bool not_null = false;

  ColumnType type() const {
    static constexpr std::array<ColumnType, 6> kTypes{ColumnType::kText, ColumnType::kInt,  ColumnType::kReal,
                                                      ColumnType::kBool, ColumnType::kTime, ColumnType::kTime};
    return kTypes[field.index()];
  }
  ColumnSpec spec() const { return {name, type(), not_null}; }

  /// The field as a bound value.
  Value value(const Record& r) const {
    return std::visit([&](auto member) { return to_value(r.*member); }, field);
  }
  /// The field as a bound value, a string moved out of the record.
  Value take(Record& r) const {
    return std::visit([&](auto member) { return to_value(std::move(r.*member)); }, field);
  }
  /// Gives the field to a bulk insert's row (a BulkRow), a string moved out of the record.
  template <typename Out>
  void take_into(Record& r, Out& out) const {
    std::visit([&](auto member) { put(r.*member, out); }, field);
  }
  /// Sets the field from this column of `row`; NULL reads as the field's default (empty text,
  /// 0, false, no time), except for a non-optional time, which must be there.
  void read(const Row& row, Record& r) const {
    std::visit([&](auto member) { read_into(row, r.*member); }, field);
  }

 private:
  static Value to_value(std::string&& s) { return Value(std::move(s)); }
  static Value to_value(const std::string& s) { return Value(s); }
  static Value to_value(std::int64_t i) { return Value(i); }
  static Value to_value(double d) { return Value(d); }
  static Value to_value(bool b) { return bool_value(b); }
  static Value to_value(TimePoint t) { return time_value(t); }
  static Value to_value(const std::optional<TimePoint>& t) { return time_value(t); }

  template <typename Out>
  static void put(std::string& s, Out& out) { out.take_text(s); }
  template <typename Out>
  static void put(std::int64_t i, Out& out) { out.integer(i); }
  template <typename Out>
  static void put(double d, Out& out) { out.real(d); }
  template <typename Out>
  static void put(bool b, Out& out) { out.boolean(b); }
  template <typename Out>
  static void put(TimePoint t, Out& out) { out.time(t); }
  template <typename Out>
  static void put(const std::optional<TimePoint>& t, Out& out) {
    if (t) {
      out.time(*t);
    } else {
      out.null();
    }
  }

  void read_into(const Row& row, std::string& out) const { out = row.get_opt_text(name).value_or(""); }
  void read_into(const Row& row, std::int64_t& out) const { out = row.get_opt_int(name).value_or(0); }
  void read_into(const Row& row, double& out) const { out = row.get_opt_double(name).value_or(0.0); }
  void read_into(const Row& row, bool& out) const { out = !row.is_null(name) && row.get_bool(name); }
  void read_into(const Row& row, TimePoint& out) const { out = row.get_time(name); }
  void read_into(const Row& row, std::optional<TimePoint>& out) const { out = row.get_opt_time(name); }
};

/// The specs of `columns`, for create_table_sql.
template <typename Record>
std::vector<ColumnSpec> specs(const std::vector<Column<Record>>& columns) {
  std::vector<ColumnSpec> out;
  out.reserve(columns.size());
  for (const auto& c : columns) out.push_back(c.spec());
  return out;
}

/// The columns' names joined with ", ", each prefixed with `prefix` (e.g. "r.").
template <typename Record>
std::string column_list(const std::vector<Column<Record>>& columns, std::string_view prefix = {}) {
  std::string out;
  for (const auto& c : columns) {
    if (!out.empty()) out += ", ";
    out.append(prefix).append(c.name);
  }
  return out;
}

/// Reads every column of `columns` from `row` into `record`.
template <typename Record>
void read_columns(const std::vector<Column<Record>>& columns, const Row& row, Record& record) {
  for (const auto& c : columns) c.read(row, record);
}

}  // namespace vctp::store

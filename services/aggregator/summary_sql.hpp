#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vctp/store/columns.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/dialect.hpp"

namespace vctp::aggregator {

/// Small SQL-text helpers shared by the daily and monthly summaries. Everything spliced into SQL
/// is either a validated table name, an integer computed here, or a `$n` placeholder.
class SqlText {
 public:
  explicit SqlText(const store::Dialect& dialect) : d_(dialect) {}

  const store::Dialect& dialect() const { return d_; }

  /// `CAST((expr) AS REAL / DOUBLE PRECISION)`.
  std::string dbl(std::string_view expr) const;
  std::string greatest(std::string_view a, std::string_view b) const { return d_.greatest(a, b); }
  std::string least(std::string_view a, std::string_view b) const { return d_.least(a, b); }
  std::string epoch(std::string_view expr) const { return d_.epoch_seconds(expr); }
  std::string from_epoch(std::string_view expr) const { return d_.from_epoch_seconds(expr); }
  std::string to_bool(std::string_view int_expr) const { return d_.int_to_bool(int_expr); }
  std::string ident(std::string_view name) const { return d_.quote_identifier(name); }

  /// A temporary table filled from `select`, gone at the end of the transaction.
  std::vector<std::string> create_temp(std::string_view name, std::string_view select) const;
  /// Statements that index a temporary table for joins on `columns` (only where the backend
  /// would otherwise build that index per statement).
  std::vector<std::string> create_index(std::string_view name, std::string_view columns) const {
    return d_.create_temp_index(name, columns);
  }
  /// Statements giving the transaction's large queries more memory.
  std::vector<std::string> bulk_work() const { return d_.bulk_work_settings(); }
  /// Statements that remove the temporary table (SQLite keeps them per connection).
  std::vector<std::string> drop_temp(std::string_view name) const;

  /// `(COALESCE(expr, '') IN ($a, $b, ...))` with the values appended to `params`, or a false
  /// expression for an empty set.
  static std::string in_set(std::string_view expr, const std::vector<std::string>& values, store::Params& params);

 private:
  const store::Dialect& d_;
};

/// `CREATE TABLE "table" (...)` of `columns` (vctp/store/summary_columns.hpp).
std::string create_table_sql(const SqlText& sql, std::string_view table, const std::vector<store::ColumnSpec>& columns);

/// The value of each column of an INSERT ... SELECT, by column name.
using ColumnValues = std::map<std::string, std::string, std::less<>>;

/// `INSERT INTO "table" (columns) SELECT values FROM from`, where each column's value is looked
/// up by its name, so that the SELECT list cannot drift out of step with the table. Throws
/// std::logic_error when a column has no value or a value names no column.
std::string insert_select_sql(const SqlText& sql, std::string_view table, const std::vector<store::ColumnSpec>& columns,
                              const ColumnValues& values, std::string_view from);

/// Distinct non-NULL values (NULL read as '') of `expr` across `tables` (names already valid).
std::vector<std::string> distinct_values(store::Transaction& tx, const std::vector<std::string>& tables,
                                         std::string_view expr, std::string_view where = {});

}  // namespace vctp::aggregator

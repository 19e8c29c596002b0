#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vctp::store {

enum class Backend { kSqlite, kPostgres };

/// The few places where SQL differs between SQLite and PostgreSQL. Services build their SQL
/// with these so that nothing above libs/store tests which backend it talks to.
/// Parameters are written `$1`, `$2`, ... on both backends.
class Dialect {
 public:
  explicit Dialect(Backend backend) : backend_(backend) {}

  Backend backend() const { return backend_; }
  /// "sqlite" or "postgres".
  std::string_view name() const;

  /// Column types.
  std::string_view integer_type() const;    ///< INTEGER / BIGINT
  std::string_view real_type() const;       ///< REAL / DOUBLE PRECISION
  std::string_view text_type() const;       ///< TEXT
  std::string_view boolean_type() const;    ///< INTEGER (0/1) / BOOLEAN
  std::string_view timestamp_type() const;  ///< TEXT (ISO 8601 UTC) / TIMESTAMPTZ

  /// `"name"` with embedded quotes doubled.
  std::string quote_identifier(std::string_view name) const;
  /// A string literal with embedded quotes doubled.
  std::string quote_literal(std::string_view text) const;

  /// A bound parameter used as a timestamp: `$n` / `CAST($n AS timestamptz)`.
  std::string timestamp_param(int n) const;
  /// Seconds since the epoch of a timestamp expression, as an integer.
  std::string epoch_seconds(std::string_view expr) const;
  /// A timestamp expression from seconds since the epoch (ISO text in SQLite).
  std::string from_epoch_seconds(std::string_view expr) const;
  /// The current time as a timestamp value.
  std::string now() const;
  /// A boolean expression as 0/1 integer (for SUM/AVG/MAX over flags).
  std::string bool_to_int(std::string_view expr) const;
  /// An integer 0/1 expression as a value for a boolean column.
  std::string int_to_bool(std::string_view expr) const;
  /// Larger / smaller of two values (scalar MAX/MIN in SQLite, GREATEST/LEAST in PostgreSQL).
  std::string greatest(std::string_view a, std::string_view b) const;
  std::string least(std::string_view a, std::string_view b) const;
  /// `a IS NOT DISTINCT FROM b` (NULL-safe equality).
  std::string null_safe_equal(std::string_view a, std::string_view b) const;
  /// A text expression compared byte by byte, for keys that are sorted only to be grouped
  /// (window partitions): `expr COLLATE "C"` in PostgreSQL, whose locale collations cost much
  /// more; SQLite compares bytes already.
  std::string binary_key(std::string_view expr) const;

  /// Statements that create the temporary table `name` from `select`, gone at the end of the
  /// transaction (PostgreSQL) or dropped by drop_temp_table (SQLite keeps it per connection),
  /// with statistics for the planner. Only the second statement takes `select`'s parameters.
  std::vector<std::string> create_temp_table(std::string_view name, std::string_view select) const;
  std::string drop_temp_table(std::string_view name) const;
  /// Statements that index the temporary table `name` on `columns` where the backend would
  /// otherwise build the same index for every statement joining it (SQLite's automatic
  /// indexes); none in PostgreSQL, which hash-joins temporary tables.
  std::vector<std::string> create_temp_index(std::string_view name, std::string_view columns) const;
  /// Statements that give the rest of the transaction memory for large sorts, hashes and
  /// temporary tables: `SET LOCAL work_mem` in PostgreSQL (reset at the end of the
  /// transaction), the page cache of the connection's temporary database in SQLite.
  std::vector<std::string> bulk_work_settings() const;

 private:
  Backend backend_;
};

}  // namespace vctp::store

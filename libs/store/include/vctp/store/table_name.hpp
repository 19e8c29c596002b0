#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace vctp::store {

/// What a snapshot table holds.
enum class SnapshotKind {
  kHourly,   ///< snap_hourly_YYYYMMDDHH: one row per VM per vCenter at an hour
  kHosts,    ///< snap_hosts_YYYYMMDDHH: one row per ESXi host per vCenter at an hour
  kDaily,    ///< summary_daily_YYYYMMDD
  kMonthly,  ///< summary_monthly_YYYYMM
};

/// "hourly", "hosts", "daily", "monthly".
std::string_view to_string(SnapshotKind kind);
/// Parses the names above; nullopt for anything else.
std::optional<SnapshotKind> parse_snapshot_kind(std::string_view text);

/// The name of a snapshot or summary table. It can only be built from a validated UTC time
/// (or parsed from a string that matches one of the four patterns with a real date), so a
/// TableName is always safe to splice into SQL.
class TableName {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  /// snap_hourly_YYYYMMDDHH of the UTC hour containing `t`.
  static TableName hourly(TimePoint t);
  /// snap_hosts_YYYYMMDDHH of the UTC hour containing `t`.
  static TableName hosts(TimePoint t);
  /// summary_daily_YYYYMMDD; throws InvalidTableName for an invalid date (or a year outside
  /// 1970..2200).
  static TableName daily(std::chrono::year_month_day day);
  /// summary_monthly_YYYYMM; throws InvalidTableName for an invalid month.
  static TableName monthly(std::chrono::year_month month);
  /// The table of `kind` for the period containing `t` (UTC).
  static TableName for_period(SnapshotKind kind, TimePoint t);

  /// Accepts exactly the four patterns with a valid date (years 1970..2200); nullopt otherwise.
  static std::optional<TableName> try_parse(std::string_view text);
  /// As try_parse, but throws InvalidTableName naming the refused text.
  static TableName parse(std::string_view text);

  SnapshotKind kind() const { return kind_; }
  const std::string& str() const { return name_; }
  /// First instant of the period (inclusive) and first instant after it (exclusive).
  TimePoint period_start() const { return start_; }
  TimePoint period_end() const;

  friend bool operator==(const TableName& a, const TableName& b) { return a.name_ == b.name_; }
  friend bool operator<(const TableName& a, const TableName& b) { return a.name_ < b.name_; }

 private:
  TableName(SnapshotKind kind, TimePoint start);
  SnapshotKind kind_;
  TimePoint start_;
  std::string name_;
};

/// The glob that matches every table of a kind (`snap_hourly_*`).
std::string_view table_glob(SnapshotKind kind);

}  // namespace vctp::store

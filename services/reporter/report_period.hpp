#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace vctp::reporter {

using TimePoint = std::chrono::system_clock::time_point;

/// The granularity of a report.
enum class ReportKind { kHourly, kDaily, kMonthly };

/// "hourly", "daily", "monthly".
std::string_view to_string(ReportKind kind);
std::optional<ReportKind> parse_report_kind(std::string_view text);

/// The UTC hour, day or month a report covers.
class ReportPeriod {
 public:
  /// The period of `kind` containing `t` (UTC).
  static ReportPeriod containing(ReportKind kind, TimePoint t);
  /// Parses what an operator types: hourly `2026-11-24T13` (also `2026-11-24T13:00:00Z`), daily
  /// `2026-11-24`, monthly `2026-11`. Returns nullopt for anything else, or an invalid date.
  static std::optional<ReportPeriod> parse(ReportKind kind, std::string_view text);

  ReportKind kind() const { return kind_; }
  TimePoint start() const { return start_; }
  /// First instant after the period.
  TimePoint end() const;
  /// Hours in the period (1, 24, or 24 × days in the month).
  double hours() const;
  /// Days in the period (1/24, 1, or days in the month).
  double days() const;
  /// Days in the calendar month containing the period (for per-month prices).
  int days_in_month() const;
  /// The period as events and the reports table name it: `2026-11-24T13:00:00Z`, `2026-11-24`,
  /// `2026-11`.
  std::string label() const;
  /// The period as the reports table stores it: `2026-11-24T13`, `2026-11-24`, `2026-11`.
  std::string short_label() const;
  /// The report's file name: vctp_hourly_2026112413.xlsx, vctp_daily_20261124.xlsx,
  /// vctp_monthly_202611.xlsx.
  std::string file_name() const;
  /// The FOCUS export's file name beside a monthly report: vctp_monthly_202611_focus.csv.
  std::string focus_file_name() const;

  friend bool operator==(const ReportPeriod& a, const ReportPeriod& b) {
    return a.kind_ == b.kind_ && a.start_ == b.start_;
  }

 private:
  ReportPeriod(ReportKind kind, TimePoint start) : kind_(kind), start_(start) {}
  std::string compact() const;
  ReportKind kind_;
  TimePoint start_;
};

}  // namespace vctp::reporter

#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

#include "vctp/store/table_name.hpp"

namespace vctp::aggregator {

/// What a summary covers.
enum class SummaryKind { kDaily, kMonthly };

std::string_view to_string(SummaryKind kind);

/// A request that can never succeed as given (malformed period, unknown kind, a period in the
/// future, a period without input data). Not retryable: the requester must change it.
class InvalidRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A validated summary period: a UTC day (daily) or a UTC month (monthly). Table names are built
/// from it, never from the text of a request.
class Period {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  /// Parses "YYYY-MM-DD" (daily) or "YYYY-MM" (monthly) strictly; throws InvalidRequest.
  static Period parse(SummaryKind kind, std::string_view text);
  static Period day(std::chrono::year_month_day day);
  static Period month(std::chrono::year_month month);
  /// The day or month containing `t` (UTC).
  static Period containing(SummaryKind kind, TimePoint t);

  SummaryKind kind() const { return kind_; }
  /// "2026-11-24" or "2026-11".
  const std::string& text() const { return text_; }
  TimePoint start() const { return table_.period_start(); }
  TimePoint end() const { return table_.period_end(); }
  /// summary_daily_YYYYMMDD / summary_monthly_YYYYMM.
  const store::TableName& table() const { return table_; }
  /// A companion table of the summary: "summary_daily_<what>_YYYYMMDD" (what: pools, nodes).
  std::string companion_table(std::string_view what) const;
  /// The previous day or month.
  Period previous() const;
  /// Whole days in the period (1 for a day, 28..31 for a month).
  int day_count() const;

  friend bool operator==(const Period& a, const Period& b) { return a.table_ == b.table_; }

 private:
  Period(SummaryKind kind, store::TableName table, std::string text)
      : kind_(kind), table_(std::move(table)), text_(std::move(text)) {}
  SummaryKind kind_;
  store::TableName table_;
  std::string text_;
};

}  // namespace vctp::aggregator

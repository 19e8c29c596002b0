#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace vctp::core {

using TimePoint = std::chrono::system_clock::time_point;

/// The years a period may fall in: a summary, a snapshot table, a report, a day asked for over
/// REST or carried by an event. From the Unix epoch to 2200, well inside what a TimePoint holds
/// (64-bit nanoseconds end in 2262). Declared once; the gateway, the aggregator, the bus and
/// store::TableName all refuse what falls outside.
inline constexpr std::chrono::year kFirstPeriodYear{1970};
inline constexpr std::chrono::year kLastPeriodYear{2200};

/// Whether `y` lies in kFirstPeriodYear..kLastPeriodYear.
constexpr bool in_period_range(std::chrono::year y) { return y >= kFirstPeriodYear && y <= kLastPeriodYear; }

/// Whether the day (or month) containing `t` lies in the period range.
bool in_period_range(TimePoint t);

/// ISO 8601 UTC with seconds: 2026-11-24T13:00:00Z.
std::string format_iso8601(TimePoint t);

/// Parses 2026-11-24T13:00:00Z (also with fractional seconds, or a +hh:mm / +hh offset with
/// hh 00..23 and mm 00..59); years 1700 to 2200 only.
std::optional<TimePoint> parse_iso8601(std::string_view text);

/// Parses a calendar day 2026-11-24 (validated: month 1..12, day within the month).
std::optional<std::chrono::year_month_day> parse_day(std::string_view text);

/// Parses a month 2026-11.
std::optional<std::chrono::year_month> parse_month(std::string_view text);

/// Start of the UTC hour containing t.
TimePoint floor_hour(TimePoint t);

}  // namespace vctp::core

#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace vctp::core {

using TimePoint = std::chrono::system_clock::time_point;

/// ISO 8601 UTC with seconds: 2026-11-24T13:00:00Z.
std::string format_iso8601(TimePoint t);

/// Parses 2026-11-24T13:00:00Z (also with fractional seconds, or a +00:00 / +hh:mm offset);
/// years 1700 to 2200 only.
std::optional<TimePoint> parse_iso8601(std::string_view text);

/// Parses a calendar day 2026-11-24 (validated: month 1..12, day within the month).
std::optional<std::chrono::year_month_day> parse_day(std::string_view text);

/// Parses a month 2026-11.
std::optional<std::chrono::year_month> parse_month(std::string_view text);

/// Start of the UTC hour containing t.
TimePoint floor_hour(TimePoint t);

}  // namespace vctp::core

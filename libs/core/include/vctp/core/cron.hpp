#pragma once

#include <bitset>
#include <chrono>
#include <stdexcept>
#include <string>

namespace vctp::core {

/// A cron expression that cannot be parsed; the message says which field and why.
class CronError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A standard 5-field cron expression (minute hour day-of-month month day-of-week), with
/// lists, ranges, steps, month and weekday names and the @hourly/@daily/@weekly/@monthly/
/// @yearly shorthands, evaluated in UTC. As in cron, when both day fields are restricted a
/// time matches if either does.
class CronExpression {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  /// Parses `text`; throws CronError.
  static CronExpression parse(const std::string& text);

  /// The first matching minute strictly after `after`.
  TimePoint next_after(TimePoint after) const;

  /// Whether the minute containing `t` matches.
  bool matches(TimePoint t) const;

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;
  std::bitset<13> months_;
  std::bitset<7> days_of_week_;
  bool dom_restricted_ = false;
  bool dow_restricted_ = false;
};

}  // namespace vctp::core

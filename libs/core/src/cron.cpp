#include "vctp/core/cron.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <sstream>
#include <vector>

namespace vctp::core {
namespace {

struct Field {
  const char* name;
  int min;
  int max;
  const std::array<const char*, 12>* names;  // names for min.. (months) or 0.. (weekdays)
  int names_base;
};

constexpr std::array<const char*, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                     "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<const char*, 12> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri",
                                                   "sat", nullptr, nullptr, nullptr, nullptr, nullptr};

int parse_value(const std::string& token, const Field& field) {
  std::string lower = token;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (field.names) {
    for (std::size_t i = 0; i < field.names->size(); ++i) {
      if ((*field.names)[i] && lower == (*field.names)[i]) return static_cast<int>(i) + field.names_base;
    }
  }
  int value = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (token.empty() || ec != std::errc() || end != token.data() + token.size()) {
    throw CronError(std::string(field.name) + " field: '" + token + "' is not a number or name");
  }
  if (value < field.min || value > field.max) {
    throw CronError(std::string(field.name) + " field: " + token + " is outside " +
                    std::to_string(field.min) + "-" + std::to_string(field.max));
  }
  return value;
}

/// Parses one field into the set of allowed values; returns whether it was restricted (not *).
bool parse_field(const std::string& text, const Field& field, std::vector<bool>& allowed) {
  allowed.assign(field.max + 1, false);
  bool restricted = true;
  std::stringstream items(text);
  std::string item;
  bool any = false;
  while (std::getline(items, item, ',')) {
    any = true;
    if (item.empty()) throw CronError(std::string(field.name) + " field: empty list item in '" + text + "'");
    int step = 1;
    std::string range = item;
    if (const auto slash = item.find('/'); slash != std::string::npos) {
      range = item.substr(0, slash);
      const std::string step_text = item.substr(slash + 1);
      const auto [end, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (step_text.empty() || ec != std::errc() || end != step_text.data() + step_text.size() || step <= 0) {
        throw CronError(std::string(field.name) + " field: step '" + step_text + "' is not a positive number");
      }
    }
    int low = field.min;
    int high = field.max;
    if (range == "*") {
      if (text == "*") restricted = false;
    } else if (const auto dash = range.find('-'); dash != std::string::npos) {
      low = parse_value(range.substr(0, dash), field);
      high = parse_value(range.substr(dash + 1), field);
      if (low > high) {
        throw CronError(std::string(field.name) + " field: range '" + range + "' runs backwards");
      }
    } else {
      low = parse_value(range, field);
      high = item.find('/') != std::string::npos ? field.max : low;
    }
    for (int v = low; v <= high; v += step) allowed[v] = true;
  }
  if (!any) throw CronError(std::string(field.name) + " field is empty");
  return restricted;
}

std::string expand_shorthand(const std::string& text) {
  if (text == "@hourly") return "0 * * * *";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  return text;
}

}  // namespace

CronExpression CronExpression::parse(const std::string& text) {
  std::istringstream in(expand_shorthand(text));
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() != 5) {
    throw CronError("expected 5 fields (minute hour day-of-month month day-of-week), got " +
                    std::to_string(fields.size()) + " in '" + text + "'");
  }
  static const Field kMinute{"minute", 0, 59, nullptr, 0};
  static const Field kHour{"hour", 0, 23, nullptr, 0};
  static const Field kDom{"day-of-month", 1, 31, nullptr, 0};
  static const Field kMonth{"month", 1, 12, &kMonthNames, 1};
  static const Field kDow{"day-of-week", 0, 7, &kDayNames, 0};

  CronExpression expr;
  expr.text_ = text;
  std::vector<bool> allowed;
  parse_field(fields[0], kMinute, allowed);
  for (int i = 0; i < 60; ++i) expr.minutes_[i] = allowed[i];
  parse_field(fields[1], kHour, allowed);
  for (int i = 0; i < 24; ++i) expr.hours_[i] = allowed[i];
  expr.dom_restricted_ = parse_field(fields[2], kDom, allowed);
  for (int i = 1; i <= 31; ++i) expr.days_of_month_[i] = allowed[i];
  parse_field(fields[3], kMonth, allowed);
  for (int i = 1; i <= 12; ++i) expr.months_[i] = allowed[i];
  expr.dow_restricted_ = parse_field(fields[4], kDow, allowed);
  for (int i = 0; i < 7; ++i) expr.days_of_week_[i] = allowed[i];
  if (allowed[7]) expr.days_of_week_[0] = true;  // 7 is Sunday too
  expr.next_after(TimePoint{});  // refuses expressions that never match (Feb 31)
  return expr;
}

bool CronExpression::matches(TimePoint t) const {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<minutes>(t - day)};
  const unsigned weekday_index = weekday{day}.c_encoding();
  if (!minutes_[hms.minutes().count()] || !hours_[hms.hours().count()]) return false;
  if (!months_[static_cast<unsigned>(ymd.month())]) return false;
  const bool dom = days_of_month_[static_cast<unsigned>(ymd.day())];
  const bool dow = days_of_week_[weekday_index];
  if (dom_restricted_ && dow_restricted_) return dom || dow;
  return dom && dow;
}

CronExpression::TimePoint CronExpression::next_after(TimePoint after) const {
  using namespace std::chrono;
  TimePoint t = floor<minutes>(after) + minutes(1);
  // Skip whole days and hours that cannot match, so the search stays short; a valid expression
  // matches within a few years at most (Feb 29 on a given weekday: 28 years), so bound it.
  const TimePoint limit = t + days(366 * 30);
  while (t < limit) {
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const bool dom = days_of_month_[static_cast<unsigned>(ymd.day())];
    const bool dow = days_of_week_[weekday{day}.c_encoding()];
    const bool day_ok = months_[static_cast<unsigned>(ymd.month())] &&
                        ((dom_restricted_ && dow_restricted_) ? (dom || dow) : (dom && dow));
    if (!day_ok) {
      t = day + days(1);
      continue;
    }
    const auto hour = floor<hours>(t);
    if (!hours_[hh_mm_ss{hour - day}.hours().count()]) {
      t = hour + hours(1);
      continue;
    }
    if (minutes_[hh_mm_ss{t - hour}.minutes().count()]) return t;
    t += minutes(1);
  }
  throw CronError("'" + text_ + "' never matches");
}

}  // namespace vctp::core

#include "vctp/core/time_format.hpp"

#include <charconv>
#include <cstdio>

namespace vctp::core {
namespace {

// Times (a VM's creation time, say) may lie before the period range, never after it.
constexpr std::chrono::year kFirstYear{1700};
constexpr std::chrono::year kLastYear = kLastPeriodYear;

bool read_int(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data() + pos, text.data() + pos + len, out);
  return true;
}

}  // namespace

std::string format_iso8601(TimePoint t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return buf;
}

std::optional<std::chrono::year_month_day> parse_day(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!read_int(text, 0, 4, y) || !read_int(text, 5, 2, m) || !read_int(text, 8, 2, d)) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::optional<std::chrono::year_month> parse_month(std::string_view text) {
  int y = 0, m = 0;
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  if (!read_int(text, 0, 4, y) || !read_int(text, 5, 2, m)) return std::nullopt;
  const std::chrono::year_month ym{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)}};
  if (!ym.ok()) return std::nullopt;
  return ym;
}

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  if (text.size() < 19) return std::nullopt;
  const auto day = parse_day(text.substr(0, 10));
  if (!day || (text[10] != 'T' && text[10] != ' ')) return std::nullopt;
  // A TimePoint counts nanoseconds in 64 bits (about 1678 to 2261): a year outside that is
  // refused instead of overflowing.
  if (day->year() < kFirstYear || day->year() > kLastYear) return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (!read_int(text, 11, 2, hh) || text[13] != ':' || !read_int(text, 14, 2, mm) || text[16] != ':' ||
      !read_int(text, 17, 2, ss)) {
    return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  std::size_t pos = 19;
  system_clock::duration fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t micros = 0;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) {
        micros = micros * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    while (digits++ < 6) micros *= 10;
    fraction = duration_cast<system_clock::duration>(microseconds(micros));
  }
  int offset_minutes = 0;
  const std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z" || zone.empty()) {
    offset_minutes = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh = 0, om = 0;
    if (!read_int(zone, 1, 2, oh) || !read_int(zone, 4, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offset_minutes = (oh * 60 + om) * (zone[0] == '-' ? -1 : 1);
  } else if (zone.size() == 3 && (zone[0] == '+' || zone[0] == '-')) {
    int oh = 0;
    if (!read_int(zone, 1, 2, oh) || oh > 23) return std::nullopt;
    offset_minutes = oh * 60 * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  return sys_days{*day} + hours(hh) + minutes(mm) + seconds(ss) + fraction - minutes(offset_minutes);
}

bool in_period_range(TimePoint t) {
  return in_period_range(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t)}.year());
}

TimePoint floor_hour(TimePoint t) { return std::chrono::floor<std::chrono::hours>(t); }

}  // namespace vctp::core

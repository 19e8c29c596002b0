#include "period.hpp"

#include <cstdio>

#include "vctp/core/time_format.hpp"

namespace vctp::aggregator {

namespace {

using namespace std::chrono;

std::string day_text(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string month_text(year_month m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(m.year()),
                static_cast<unsigned>(m.month()));
  return buf;
}

bool digits_at(std::string_view text, std::initializer_list<std::size_t> positions) {
  for (auto p : positions) {
    if (p >= text.size() || text[p] < '0' || text[p] > '9') return false;
  }
  return true;
}

std::string years_allowed() {
  return " in the years " + std::to_string(static_cast<int>(core::kFirstPeriodYear)) + " to " +
         std::to_string(static_cast<int>(core::kLastPeriodYear));
}

}  // namespace

std::string_view to_string(SummaryKind kind) {
  return kind == SummaryKind::kDaily ? "daily" : "monthly";
}

Period Period::parse(SummaryKind kind, std::string_view text) {
  const std::string shown(text.substr(0, 40));
  if (kind == SummaryKind::kDaily) {
    const bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                       digits_at(text, {0, 1, 2, 3, 5, 6, 8, 9});
    const auto d = shape ? core::parse_day(text) : std::nullopt;
    if (!d || !core::in_period_range(d->year())) {
      throw InvalidRequest("invalid daily period '" + shown + "': expected a real UTC day written YYYY-MM-DD" +
                           years_allowed() + ", e.g. 2026-11-24");
    }
    return day(*d);
  }
  const bool shape =
      text.size() == 7 && text[4] == '-' && digits_at(text, {0, 1, 2, 3, 5, 6});
  const auto m = shape ? core::parse_month(text) : std::nullopt;
  if (!m || !core::in_period_range(m->year())) {
    throw InvalidRequest("invalid monthly period '" + shown + "': expected a UTC month written YYYY-MM" +
                         years_allowed() + ", e.g. 2026-11");
  }
  return month(*m);
}

Period Period::day(year_month_day d) {
  return Period(SummaryKind::kDaily, store::TableName::daily(d), day_text(d));
}

Period Period::month(year_month m) {
  return Period(SummaryKind::kMonthly, store::TableName::monthly(m), month_text(m));
}

Period Period::containing(SummaryKind kind, TimePoint t) {
  const year_month_day d{floor<std::chrono::days>(t)};
  return kind == SummaryKind::kDaily ? day(d) : month(d.year() / d.month());
}

std::string Period::companion_table(std::string_view what) const {
  // summary_daily_YYYYMMDD -> summary_daily_<what>_YYYYMMDD; the digits come from a TableName.
  const std::string& name = table_.str();
  const auto cut = name.rfind('_');
  return name.substr(0, cut + 1) + std::string(what) + name.substr(cut);
}

Period Period::previous() const {
  if (kind_ == SummaryKind::kDaily) {
    return day(year_month_day{floor<std::chrono::days>(start()) - std::chrono::days{1}});
  }
  const year_month_day d{floor<std::chrono::days>(start())};
  return month(d.year() / d.month() - months{1});
}

int Period::day_count() const {
  return static_cast<int>(duration_cast<std::chrono::days>(end() - start()).count());
}

}  // namespace vctp::aggregator

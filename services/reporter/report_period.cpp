#include "report_period.hpp"

#include <cstdio>
#include <regex>

#include "vctp/core/report_file_name.hpp"
#include "vctp/core/time_format.hpp"

namespace vctp::reporter {
namespace {

using namespace std::chrono;
using Hours = std::chrono::hours;
using Days = std::chrono::days;

std::string two(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02u", v % 100);
  return buf;
}

std::string four(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04d", v);
  return buf;
}

}  // namespace

std::string_view to_string(ReportKind kind) {
  switch (kind) {
    case ReportKind::kHourly:
      return "hourly";
    case ReportKind::kDaily:
      return "daily";
    case ReportKind::kMonthly:
      return "monthly";
  }
  return "unknown";
}

std::optional<ReportKind> parse_report_kind(std::string_view text) {
  if (text == "hourly") return ReportKind::kHourly;
  if (text == "daily") return ReportKind::kDaily;
  if (text == "monthly") return ReportKind::kMonthly;
  return std::nullopt;
}

ReportPeriod ReportPeriod::containing(ReportKind kind, TimePoint t) {
  const auto day = floor<Days>(t);
  switch (kind) {
    case ReportKind::kHourly:
      return ReportPeriod(kind, floor<Hours>(t));
    case ReportKind::kDaily:
      return ReportPeriod(kind, day);
    case ReportKind::kMonthly: {
      const year_month_day ymd{day};
      return ReportPeriod(kind, std::chrono::sys_days{ymd.year() / ymd.month() / 1});
    }
  }
  return ReportPeriod(kind, floor<Hours>(t));
}

std::optional<ReportPeriod> ReportPeriod::parse(ReportKind kind, std::string_view text) {
  switch (kind) {
    case ReportKind::kHourly: {
      if (const auto t = core::parse_iso8601(text)) {
        if (*t != floor<Hours>(*t) || !core::in_period_range(*t)) return std::nullopt;
        return ReportPeriod(kind, *t);
      }
      static const std::regex kHour(R"((\d{4}-\d{2}-\d{2})T(\d{2}))");
      std::cmatch m;
      const std::string s(text);
      if (!std::regex_match(s.c_str(), m, kHour)) return std::nullopt;
      const auto day = core::parse_day(m[1].str());
      const int hour = std::stoi(m[2].str());
      if (!day || hour > 23 || !core::in_period_range(day->year())) return std::nullopt;
      return ReportPeriod(kind, std::chrono::sys_days{*day} + Hours{hour});
    }
    case ReportKind::kDaily: {
      const auto day = core::parse_day(text);
      if (!day || !core::in_period_range(day->year())) return std::nullopt;
      return ReportPeriod(kind, std::chrono::sys_days{*day});
    }
    case ReportKind::kMonthly: {
      const auto month = core::parse_month(text);
      if (!month || !core::in_period_range(month->year())) return std::nullopt;
      return ReportPeriod(kind, std::chrono::sys_days{*month / 1});
    }
  }
  return std::nullopt;
}

TimePoint ReportPeriod::end() const {
  switch (kind_) {
    case ReportKind::kHourly:
      return start_ + Hours{1};
    case ReportKind::kDaily:
      return start_ + Days{1};
    case ReportKind::kMonthly: {
      const year_month_day ymd{floor<Days>(start_)};
      return std::chrono::sys_days{(ymd.year() / ymd.month() + months{1}) / 1};
    }
  }
  return start_;
}

double ReportPeriod::hours() const {
  return duration_cast<duration<double, std::ratio<3600>>>(end() - start_).count();
}

double ReportPeriod::days() const { return hours() / 24.0; }

int ReportPeriod::days_in_month() const {
  const year_month_day ymd{floor<Days>(start_)};
  const std::chrono::year_month_day_last last{ymd.year() / ymd.month() / std::chrono::last};
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

std::string ReportPeriod::label() const {
  const year_month_day ymd{floor<Days>(start_)};
  const std::string month = four(static_cast<int>(ymd.year())) + "-" + two(static_cast<unsigned>(ymd.month()));
  switch (kind_) {
    case ReportKind::kHourly:
      return core::format_iso8601(start_);
    case ReportKind::kDaily:
      return month + "-" + two(static_cast<unsigned>(ymd.day()));
    case ReportKind::kMonthly:
      return month;
  }
  return month;
}

std::string ReportPeriod::short_label() const {
  if (kind_ != ReportKind::kHourly) return label();
  const std::string text = core::format_iso8601(start_);
  return text.substr(0, 13);
}

std::string ReportPeriod::compact() const {
  const auto day = floor<Days>(start_);
  const year_month_day ymd{day};
  std::string s = four(static_cast<int>(ymd.year())) + two(static_cast<unsigned>(ymd.month()));
  if (kind_ == ReportKind::kMonthly) return s;
  s += two(static_cast<unsigned>(ymd.day()));
  if (kind_ == ReportKind::kDaily) return s;
  return s + two(static_cast<unsigned>(floor<Hours>(start_ - day).count()));
}

std::string ReportPeriod::file_name() const {
  return core::report_workbook_name(to_string(kind_), compact());
}

std::string ReportPeriod::focus_file_name() const { return core::focus_export_name(compact()); }

}  // namespace vctp::reporter

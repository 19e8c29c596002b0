#include <catch2/catch.hpp>

#include "report_period.hpp"
#include "report_trigger.hpp"
#include "reporter_options.hpp"
#include "vctp/core/command_line.hpp"
#include "vctp/core/report_file_name.hpp"
#include "vctp/core/time_format.hpp"

using namespace vctp::reporter;

TEST_CASE("report periods parse what operators type and name their files", "[reporter]") {
  const auto hour = ReportPeriod::parse(ReportKind::kHourly, "2026-11-24T13");
  REQUIRE(hour);
  CHECK(hour->file_name() == "vctp_hourly_2026112413.xlsx");
  CHECK(hour->label() == "2026-11-24T13:00:00Z");
  CHECK(hour->short_label() == "2026-11-24T13");
  CHECK(hour->hours() == Approx(1));
  CHECK(ReportPeriod::parse(ReportKind::kHourly, "2026-11-24T13:00:00Z") == hour);
  CHECK_FALSE(ReportPeriod::parse(ReportKind::kHourly, "2026-11-24T13:30:00Z"));
  CHECK_FALSE(ReportPeriod::parse(ReportKind::kHourly, "2026-11-24T24"));
  CHECK_FALSE(ReportPeriod::parse(ReportKind::kHourly, "2026-11-24"));

  const auto day = ReportPeriod::parse(ReportKind::kDaily, "2026-11-24");
  REQUIRE(day);
  CHECK(day->file_name() == "vctp_daily_20261124.xlsx");
  CHECK(day->label() == "2026-11-24");
  CHECK(day->hours() == Approx(24));
  CHECK(day->days_in_month() == 30);
  CHECK_FALSE(ReportPeriod::parse(ReportKind::kDaily, "2026-02-30"));
  CHECK_FALSE(ReportPeriod::parse(ReportKind::kDaily, "2026-11"));

  const auto month = ReportPeriod::parse(ReportKind::kMonthly, "2026-02");
  REQUIRE(month);
  CHECK(month->file_name() == "vctp_monthly_202602.xlsx");
  CHECK(month->focus_file_name() == "vctp_monthly_202602_focus.csv");
  CHECK(month->hours() == Approx(28 * 24));
  CHECK(month->days_in_month() == 28);
  CHECK(vctp::core::format_iso8601(month->end()) == "2026-03-01T00:00:00Z");
  CHECK_FALSE(ReportPeriod::parse(ReportKind::kMonthly, "2026-13"));
  // Outside the period range: never a report (2300 would overflow the nanosecond clock).
  CHECK_FALSE(ReportPeriod::parse(ReportKind::kMonthly, "2300-01"));
  CHECK_FALSE(ReportPeriod::parse(ReportKind::kDaily, "1969-12-31"));
  CHECK_FALSE(ReportPeriod::parse(ReportKind::kDaily, "9999-12-31"));
  CHECK_FALSE(ReportPeriod::parse(ReportKind::kHourly, "2300-01-01T00"));

  const auto t = *vctp::core::parse_iso8601("2026-12-31T23:59:59Z");
  CHECK(ReportPeriod::containing(ReportKind::kMonthly, t).label() == "2026-12");
  CHECK(vctp::core::format_iso8601(ReportPeriod::containing(ReportKind::kMonthly, t).end()) == "2027-01-01T00:00:00Z");
  CHECK(ReportPeriod::containing(ReportKind::kHourly, t).label() == "2026-12-31T23:00:00Z");
}

TEST_CASE("report file names are recognised for the reports_available count", "[reporter]") {
  CHECK(vctp::core::is_report_file_name("vctp_hourly_2026112413.xlsx"));
  CHECK(vctp::core::is_report_file_name("vctp_daily_20261124.xlsx"));
  CHECK(vctp::core::is_report_file_name("vctp_monthly_202611.xlsx"));
  CHECK_FALSE(vctp::core::is_report_file_name(".vctp_daily_20261124.xlsx.tmp-abc123"));
  CHECK(vctp::core::is_report_file_name("vctp_monthly_202611_focus.csv"));  // the FOCUS CSV is a report file too
  CHECK_FALSE(vctp::core::is_report_file_name(".vctp_monthly_202611_focus.csv.tmp-abc123"));
  CHECK_FALSE(vctp::core::is_report_file_name("vctp_daily_20261124_focus.csv"));
  CHECK_FALSE(vctp::core::is_report_file_name("vctp_monthly_202611.csv"));
  CHECK_FALSE(vctp::core::is_report_file_name("vctp_daily_2026112.xlsx"));
  CHECK_FALSE(vctp::core::is_report_file_name("notes.xlsx"));
  // Every name the reporter makes is one the gateway accepts on vctp.report.generated.
  const auto t = *vctp::core::parse_iso8601("2026-11-24T13:20:00Z");
  for (const auto kind : {ReportKind::kHourly, ReportKind::kDaily, ReportKind::kMonthly}) {
    CHECK(vctp::core::is_report_file_name(ReportPeriod::containing(kind, t).file_name()));
  }
  CHECK(vctp::core::is_report_file_name(ReportPeriod::containing(ReportKind::kMonthly, t).focus_file_name()));
}

TEST_CASE("events ask for the right report", "[reporter]") {
  const auto t = *vctp::core::parse_iso8601("2026-11-24T13:00:00Z");
  CHECK(report_for_snapshot("hourly", t, "ok")->file_name() == "vctp_hourly_2026112413.xlsx");
  CHECK(report_for_snapshot("hourly", t, "partial"));
  CHECK_FALSE(report_for_snapshot("hourly", t, "failed"));
  CHECK_FALSE(report_for_snapshot("daily", t, "ok"));
  CHECK(report_for_aggregate("daily", "2026-11-24", "ok")->file_name() == "vctp_daily_20261124.xlsx");
  CHECK(report_for_aggregate("monthly", "2026-11", "partial")->file_name() == "vctp_monthly_202611.xlsx");
  CHECK_FALSE(report_for_aggregate("monthly", "2026-11", "failed"));
  CHECK_FALSE(report_for_aggregate("daily", "not-a-day", "ok"));
}

TEST_CASE("reporter options: --once KIND PERIOD", "[reporter]") {
  CHECK_FALSE(parse_reporter_options({}));
  const auto once = parse_reporter_options({"--once", "daily", "2026-11-24"});
  REQUIRE(once);
  CHECK(once->period.file_name() == "vctp_daily_20261124.xlsx");
  CHECK_THROWS_AS(parse_reporter_options({"--once", "daily"}), vctp::core::UsageError);
  CHECK_THROWS_AS(parse_reporter_options({"--once", "weekly", "2026-11"}), vctp::core::UsageError);
  CHECK_THROWS_AS(parse_reporter_options({"--once", "monthly", "2026-11-24"}), vctp::core::UsageError);
  CHECK_THROWS_AS(parse_reporter_options({"--bogus"}), vctp::core::UsageError);
}

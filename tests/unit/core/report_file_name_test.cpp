#include <catch2/catch.hpp>

#include "vctp/core/report_file_name.hpp"

using namespace vctp::core;

TEST_CASE("report file names: what the reporter makes is what is accepted", "[report_file_name]") {
  CHECK(report_workbook_name("hourly", "2026112413") == "vctp_hourly_2026112413.xlsx");
  CHECK(report_workbook_name("daily", "20261124") == "vctp_daily_20261124.xlsx");
  CHECK(focus_export_name("202611") == "vctp_monthly_202611_focus.csv");
  CHECK(is_report_file_name(report_workbook_name("hourly", "2026112413")));
  CHECK(is_report_file_name(report_workbook_name("daily", "20261124")));
  CHECK(is_report_file_name(report_workbook_name("monthly", "202611")));
  CHECK(is_report_file_name(focus_export_name("202611")));
}

TEST_CASE("report file names: paths and anything else are refused", "[report_file_name]") {
  for (const char* name : {"../../../../etc/passwd", "/etc/passwd", "vctp_daily_20261124.xlsx/../../x",
                           "../vctp_daily_20261124.xlsx", "vctp_daily_20261124.xlsx\n", "vctp_daily_20261124.xlsx ",
                           "vctp_daily_2026112a.xlsx", "vctp_daily_202611241.xlsx", "vctp_daily_.xlsx",
                           "vctp_weekly_20261124.xlsx", "vctp_hourly_20261124.xlsx", "vctp_daily_20261124_focus.csv",
                           "vctp_monthly_202611.csv", ".vctp_daily_20261124.xlsx.tmp-abc123", "vctp_", "", "vctp_daily",
                           "vctp_daily_", "vctp_monthly_202611_focus.csv.tmp"}) {
    INFO(name);
    CHECK_FALSE(is_report_file_name(name));
  }
  CHECK_FALSE(is_report_file_name(std::string("vctp_daily_20261124.xlsx\0/x", 27)));
}

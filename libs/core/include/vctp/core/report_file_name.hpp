#pragma once

#include <string>
#include <string_view>

namespace vctp::core {

/// The name of a report workbook in reports_dir: `vctp_<kind>_<digits>.xlsx`, kind hourly
/// (digits YYYYMMDDHH), daily (YYYYMMDD) or monthly (YYYYMM): vctp_daily_20261124.xlsx.
std::string report_workbook_name(std::string_view kind, std::string_view period_digits);

/// The FOCUS export beside a monthly workbook: `vctp_monthly_<YYYYMM>_focus.csv`.
std::string focus_export_name(std::string_view period_digits);

/// Whether `name` is a file the reporter writes: one of the two names above and nothing else (no
/// directory, no temporary file). What consumers of vctp.report.generated accept.
bool is_report_file_name(std::string_view name);

}  // namespace vctp::core

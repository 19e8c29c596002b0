#pragma once

#include "chargeback.hpp"
#include "report_model.hpp"
#include "workbook_spec.hpp"

namespace vctp::reporter {

/// Sheet names the reports use (tests and readers rely on them).
inline constexpr const char* kSummarySheet = "Summary";
inline constexpr const char* kVmSheet = "VMs";
inline constexpr const char* kByVcenterSheet = "By vCenter";
inline constexpr const char* kByClusterSheet = "By cluster";
inline constexpr const char* kByTenantSheet = "By tenant";
inline constexpr const char* kByPoolSheet = "By pool";
inline constexpr const char* kNodeChargeSheet = "Node charge";
inline constexpr const char* kTrendSheet = "Daily trend";

/// The layout of each report, from its data and the chargeback rules; no I/O. The returned spec
/// shares ownership of what it needs, so `data` may go away before it is written.
WorkbookSpec build_hourly_workbook(const HourlyReportData& data, const ChargePolicy& policy, TimePoint generated_at);
WorkbookSpec build_daily_workbook(const DailyReportData& data, const ChargePolicy& policy, TimePoint generated_at);
WorkbookSpec build_monthly_workbook(const MonthlyReportData& data, const ChargePolicy& policy, TimePoint generated_at);

}  // namespace vctp::reporter

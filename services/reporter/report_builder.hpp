#pragma once

#include <memory>
#include <type_traits>

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
/// shares ownership of the data (rows are produced from it while the file is written, never
/// copied into cells).
WorkbookSpec build_hourly_workbook(std::shared_ptr<const HourlyReportData> data, const ChargePolicy& policy,
                                   TimePoint generated_at);
WorkbookSpec build_daily_workbook(std::shared_ptr<const DailyReportData> data, const ChargePolicy& policy,
                                  TimePoint generated_at);
WorkbookSpec build_monthly_workbook(std::shared_ptr<const MonthlyReportData> data, const ChargePolicy& policy,
                                    TimePoint generated_at);

/// The same from a copy of `data` (tests).
template <class Data>
WorkbookSpec build_workbook(const Data& data, const ChargePolicy& policy, TimePoint generated_at) {
  auto shared = std::make_shared<const Data>(data);
  if constexpr (std::is_same_v<Data, HourlyReportData>) return build_hourly_workbook(shared, policy, generated_at);
  else if constexpr (std::is_same_v<Data, DailyReportData>) return build_daily_workbook(shared, policy, generated_at);
  else return build_monthly_workbook(shared, policy, generated_at);
}

}  // namespace vctp::reporter

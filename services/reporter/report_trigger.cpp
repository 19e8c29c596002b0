#include "report_trigger.hpp"

namespace vctp::reporter {
namespace {

bool usable(const std::string& status) { return status == "ok" || status == "partial"; }

}  // namespace

std::optional<ReportPeriod> report_for_snapshot(const std::string& kind, TimePoint period_start,
                                                const std::string& status) {
  if (kind != "hourly" || !usable(status)) return std::nullopt;
  return ReportPeriod::containing(ReportKind::kHourly, period_start);
}

std::optional<ReportPeriod> report_for_aggregate(const std::string& kind, const std::string& period,
                                                 const std::string& status) {
  if (!usable(status)) return std::nullopt;
  const auto report_kind = parse_report_kind(kind);
  if (!report_kind || *report_kind == ReportKind::kHourly) return std::nullopt;
  return ReportPeriod::parse(*report_kind, period);
}

}  // namespace vctp::reporter

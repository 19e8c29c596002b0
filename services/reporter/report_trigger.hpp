#pragma once

#include <optional>
#include <string>

#include "report_period.hpp"

namespace vctp::reporter {

/// Which report an event asks for. Hourly reports follow every usable hourly snapshot
/// (vctp.snapshot.completed, kind hourly, status ok or partial); daily and monthly reports follow
/// vctp.aggregate.completed (status ok or partial). Failed jobs, and snapshot events of summary
/// tables (their aggregate.completed follows), ask for nothing.
std::optional<ReportPeriod> report_for_snapshot(const std::string& kind, TimePoint period_start,
                                                const std::string& status);
std::optional<ReportPeriod> report_for_aggregate(const std::string& kind, const std::string& period,
                                                 const std::string& status);

}  // namespace vctp::reporter

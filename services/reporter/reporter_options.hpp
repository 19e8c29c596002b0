#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report_period.hpp"

namespace vctp::reporter {

/// `--once KIND PERIOD`: generate one report and exit.
struct OnceRequest {
  ReportPeriod period;
};

/// The help text of the reporter's own options.
extern const char* const kReporterUsage;

/// Parses the reporter's options (what run_service left in `rest`). Throws core::UsageError for
/// anything it does not understand, naming the expected form.
std::optional<OnceRequest> parse_reporter_options(const std::vector<std::string>& rest);

}  // namespace vctp::reporter

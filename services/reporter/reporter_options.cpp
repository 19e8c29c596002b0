#include "reporter_options.hpp"

#include "vctp/core/command_line.hpp"

namespace vctp::reporter {

const char* const kReporterUsage =
    "\nReporter options:\n"
    "  --once hourly 2026-11-24T13      write the report of one UTC hour, then exit\n"
    "  --once daily 2026-11-24          write the report of one UTC day, then exit\n"
    "  --once monthly 2026-11           write the report of one month (and its FOCUS CSV), then exit\n";

std::optional<OnceRequest> parse_reporter_options(const std::vector<std::string>& rest) {
  if (rest.empty()) return std::nullopt;
  if (rest.front() != "--once") throw core::UsageError("unknown option '" + rest.front() + "'");
  if (rest.size() != 3) throw core::UsageError("--once takes a kind (hourly, daily, monthly) and a period");
  const auto kind = parse_report_kind(rest[1]);
  if (!kind) throw core::UsageError("--once: unknown report kind '" + rest[1] + "' (hourly, daily or monthly)");
  const auto period = ReportPeriod::parse(*kind, rest[2]);
  if (!period) {
    const char* form = *kind == ReportKind::kHourly  ? "YYYY-MM-DDTHH, e.g. 2026-11-24T13"
                       : *kind == ReportKind::kDaily ? "YYYY-MM-DD, e.g. 2026-11-24"
                                                     : "YYYY-MM, e.g. 2026-11";
    throw core::UsageError("--once " + rest[1] + ": '" + rest[2] + "' is not a valid period (" + form + ")");
  }
  return OnceRequest{*period};
}

}  // namespace vctp::reporter

#pragma once

#include <iosfwd>
#include <memory>
#include <optional>

#include "reporter_metrics.hpp"
#include "reporter_options.hpp"
#include "vctp/service/service_main.hpp"

namespace vctp::reporter {

/// `vctp-reporter --once KIND PERIOD`: writes one report, records it, announces it when NATS
/// answers (a warning otherwise) and returns the exit code: 0 when written, 1 with a clear
/// message on `err` otherwise; nullopt without --once.
std::optional<int> run_once(service::CommandContext& context, const std::optional<OnceRequest>& once,
                            ReporterMetrics& metrics, std::ostream& out, std::ostream& err);

/// The reporter as a service: consumers of vctp.snapshot.completed and vctp.aggregate.completed
/// (set up in the background while NATS is not there), the report generator and publisher of
/// vctp.report.generated, the chargeback gauges (refreshed from the registry at start and every
/// few minutes) and vctp_reports_available (reports_dir recounted every 10 s, so removals show).
class ReporterService final : public service::Service {
 public:
  ReporterService(service::ServiceContext& context, ReporterMetrics& metrics);
  ~ReporterService() override;
  void start() override;
  void stop() override;

  struct Parts;

 private:
  std::unique_ptr<Parts> parts_;
};

}  // namespace vctp::reporter

#pragma once

#include <iosfwd>
#include <memory>

#include "report_period.hpp"
#include "vctp/service/service_main.hpp"

namespace vctp::reporter {

/// `vctp-reporter --once KIND PERIOD`: opens the database, writes one report, records it,
/// announces it when NATS answers (a warning otherwise) and returns the exit code: 0 when written,
/// 1 with a clear message on `err` otherwise.
int run_once(service::ServiceContext& context, const ReportPeriod& period, std::ostream& out, std::ostream& err);

/// The reporter as a service, wired from the settings: database, NATS (consumers of
/// vctp.snapshot.completed and vctp.aggregate.completed, publisher of vctp.report.generated), the
/// report generator and the periodic recount of reports_dir.
class ReporterRuntime final : public service::Service {
 public:
  explicit ReporterRuntime(service::ServiceContext& context);
  ~ReporterRuntime() override;
  void start() override;
  void stop() override;

  struct Parts;

 private:
  std::unique_ptr<Parts> parts_;
};

}  // namespace vctp::reporter

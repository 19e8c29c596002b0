#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include "report_generator.hpp"
#include "reporter_metrics.hpp"
#include "vctp/service/service_main.hpp"

namespace vctp::reporter {

/// The running reporter: keeps vctp_reports_available true (recounting reports_dir every
/// `recount_interval`, so removals show) and generates reports when events ask for them.
class ReporterService final : public service::Service {
 public:
  /// `generator` may be null when there is no data source (then only the count is kept).
  ReporterService(service::ServiceContext& context, ReporterMetrics& metrics, ReportGenerator* generator,
                  std::chrono::milliseconds recount_interval = std::chrono::seconds(10));
  ~ReporterService() override;
  void start() override;
  void stop() override;

 private:
  void recount_loop();

  service::ServiceContext& context_;
  ReporterMetrics& metrics_;
  ReportGenerator* generator_;
  std::chrono::milliseconds recount_interval_;
  std::thread recount_thread_;
};

}  // namespace vctp::reporter

#pragma once

#include "reporter_metrics.hpp"
#include "vctp/service/service_main.hpp"

namespace vctp::reporter {

/// The reporter: XLSX reports after every hourly snapshot, daily and monthly summary.
class ReporterService final : public service::Service {
 public:
  explicit ReporterService(service::ServiceContext& context);
  void start() override;
  void stop() override;

 private:
  service::ServiceContext& context_;
  ReporterMetrics metrics_;
};

}  // namespace vctp::reporter

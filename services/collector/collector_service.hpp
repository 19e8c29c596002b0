#pragma once

#include <memory>

#include "collector_metrics.hpp"
#include "vctp/service/service_main.hpp"

namespace vctp::collector {

/// The collector: hourly inventory snapshots of every configured vCenter.
class CollectorService final : public service::Service {
 public:
  explicit CollectorService(service::ServiceContext& context);
  void start() override;
  void stop() override;

 private:
  service::ServiceContext& context_;
  CollectorMetrics metrics_;
};

}  // namespace vctp::collector

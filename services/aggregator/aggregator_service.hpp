#pragma once

#include "aggregator_metrics.hpp"
#include "vctp/service/service_main.hpp"

namespace vctp::aggregator {

/// The aggregator: daily and monthly summaries and retention.
class AggregatorService final : public service::Service {
 public:
  explicit AggregatorService(service::ServiceContext& context);
  void start() override;
  void stop() override;

 private:
  service::ServiceContext& context_;
  AggregatorMetrics metrics_;
};

}  // namespace vctp::aggregator

#pragma once

#include "vctp/metrics/registry.hpp"

namespace vctp::aggregator {

/// The aggregator's metrics. The duration metrics are histograms of every run, in seconds.
struct AggregatorMetrics {
  explicit AggregatorMetrics(metrics::Registry& registry);

  metrics::Counter daily_total;
  metrics::Counter daily_failed_total;
  metrics::Histogram daily_duration;
  metrics::Counter monthly_total;
  metrics::Counter monthly_failed_total;
  metrics::Histogram monthly_duration;
};

}  // namespace vctp::aggregator

#pragma once

#include "vctp/metrics/registry.hpp"

namespace vctp::reporter {

/// The reporter's metrics.
struct ReporterMetrics {
  explicit ReporterMetrics(metrics::Registry& registry);

  metrics::Gauge reports_available;
};

}  // namespace vctp::reporter

#pragma once

#include <string>

#include "vctp/metrics/registry.hpp"

namespace vctp::gateway {

/// The gateway's metrics, built once by run_service from the process's registry. The labelled
/// families are declared here; their series are created as requests and events come.
struct GatewayMetrics {
  explicit GatewayMetrics(metrics::Registry& registry);

  /// HTTP requests answered, by route, method and status.
  metrics::Counter requests(const std::string& route, const std::string& method, int status);
  /// Time to answer HTTP requests, by route.
  metrics::Histogram request_duration(const std::string& route);
  /// Events published by the gateway, by subject.
  metrics::Counter events_published(const std::string& subject);

  metrics::Registry& registry;
  metrics::Counter auth_failures_total;
};

}  // namespace vctp::gateway

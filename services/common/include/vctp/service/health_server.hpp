#pragma once

#include <memory>
#include <string>

namespace vctp::metrics {
class Registry;
}

namespace vctp::service {

class Readiness;

/// Serves a service's plain-HTTP endpoints on bind_address:port (port 0 picks a free one):
/// GET /metrics (the Prometheus text format of `registry`), GET /healthz (200 while the
/// process runs) and GET /readyz (200 when every check of `readiness` passes, else 503).
class HealthServer {
 public:
  HealthServer(const metrics::Registry& registry, const Readiness& readiness, const std::string& bind_address,
               int port);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  /// The port actually listened on.
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vctp::service

#pragma once

#include <memory>

#include "vctp/metrics/registry.hpp"
#include "vctp/service/service_main.hpp"

namespace vctp::gateway {

/// The gateway: REST API, web UI and /metrics on bind_ip:bind_port.
class GatewayService final : public service::Service {
 public:
  explicit GatewayService(service::ServiceContext& context);
  void start() override;
  void stop() override;

 private:
  service::ServiceContext& context_;
  std::unique_ptr<metrics::MetricsServer> server_;
};

}  // namespace vctp::gateway

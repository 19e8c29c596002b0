#include "gateway_service.hpp"

#include "vctp/core/logging.hpp"

namespace vctp::gateway {

GatewayService::GatewayService(service::ServiceContext& context) : context_(context) {}

void GatewayService::start() {
  // Until the REST server lands, the gateway serves its /metrics on bind_port over plain HTTP.
  server_ = std::make_unique<metrics::MetricsServer>(context_.metrics, context_.settings.bind_ip,
                                                     static_cast<int>(context_.settings.bind_port));
  core::log_info("gateway listening", {{"address", context_.settings.bind_ip},
                                       {"port", std::to_string(server_->port())}});
}

void GatewayService::stop() { server_.reset(); }

}  // namespace vctp::gateway

#include "gateway_metrics.hpp"
#include "gateway_service.hpp"
#include "token_auth.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  if (const auto code = gateway::run_hash_token_command(argc, argv)) return *code;
  service::ServiceDefinition<gateway::GatewayOptions, gateway::GatewayMetrics> definition;
  definition.info.name = "gateway";
  definition.info.description = "REST API, web UI and metrics of the vctp suite";
  definition.info.extra_usage = gateway::kGatewayUsage;
  definition.info.nats_drain_timeout = std::chrono::milliseconds(1000);
  definition.parse_options = gateway::parse_gateway_options;
  definition.make_service = [](service::ServiceContext& c, const gateway::GatewayOptions& options,
                               gateway::GatewayMetrics& m) {
    return std::make_unique<gateway::GatewayService>(c, options, m);
  };
  return service::run_service(argc, argv, definition);
}

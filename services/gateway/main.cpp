#include "gateway_api.hpp"
#include "gateway_service.hpp"
#include "token_auth.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  if (const auto code = gateway::run_hash_token_command(argc, argv)) return *code;
  service::ServiceDefinition definition;
  definition.name = "gateway";
  definition.description = "REST API, web UI and metrics of the vctp suite";
  definition.extra_usage = gateway::kGatewayUsage;
  definition.check_options = gateway::check_gateway_options;
  definition.register_metrics = [](metrics::Registry& r, const core::Settings&) { gateway::GatewayApi::register_metrics(r); };
  definition.make_service = [](service::ServiceContext& c) {
    return std::make_unique<gateway::GatewayService>(c);
  };
  return service::run_service(argc, argv, definition);
}

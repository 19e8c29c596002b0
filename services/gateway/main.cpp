#include "gateway_service.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  service::ServiceDefinition definition;
  definition.name = "gateway";
  definition.description = "REST API, web UI and metrics of the vctp suite";
  definition.make_service = [](service::ServiceContext& c) {
    return std::make_unique<gateway::GatewayService>(c);
  };
  return service::run_service(argc, argv, definition);
}

#include "collector_metrics.hpp"
#include "collector_service.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  service::ServiceDefinition definition;
  definition.name = "collector";
  definition.description = "hourly inventory snapshots of every configured vCenter";
  definition.metrics_port = &core::Settings::collector_metrics_port;
  definition.register_metrics = [](metrics::Registry& r) { collector::CollectorMetrics{r}; };
  definition.make_service = [](service::ServiceContext& c) {
    return std::make_unique<collector::CollectorService>(c);
  };
  return service::run_service(argc, argv, definition);
}

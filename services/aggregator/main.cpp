#include "aggregator_metrics.hpp"
#include "aggregator_service.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  service::ServiceDefinition definition;
  definition.name = "aggregator";
  definition.description = "daily and monthly chargeback summaries and retention";
  definition.metrics_port = &core::Settings::aggregator_metrics_port;
  definition.register_metrics = [](metrics::Registry& r) { aggregator::AggregatorMetrics{r}; };
  definition.make_service = [](service::ServiceContext& c) {
    return std::make_unique<aggregator::AggregatorService>(c);
  };
  return service::run_service(argc, argv, definition);
}

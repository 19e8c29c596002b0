#include "aggregator_metrics.hpp"
#include "aggregator_service.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  service::ServiceDefinition definition;
  definition.name = "aggregator";
  definition.description = "daily and monthly chargeback summaries and retention";
  definition.extra_usage =
      "  --once daily YYYY-MM-DD          build (or rebuild) one daily summary and exit\n"
      "  --once monthly YYYY-MM           build (or rebuild) one monthly summary (and the\n"
      "                                   month's missing daily summaries) and exit\n";
  definition.metrics_port = &core::Settings::aggregator_metrics_port;
  definition.check_options = aggregator::check_options;
  definition.register_metrics = [](metrics::Registry& r, const core::Settings&) { aggregator::AggregatorMetrics{r}; };
  definition.run_command = aggregator::run_once;
  definition.make_service = [](service::ServiceContext& c) {
    return std::make_unique<aggregator::AggregatorService>(c);
  };
  return service::run_service(argc, argv, definition);
}

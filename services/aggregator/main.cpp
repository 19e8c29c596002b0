#include "aggregator_metrics.hpp"
#include "aggregator_service.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  service::ServiceDefinition<aggregator::AggregatorOptions, aggregator::AggregatorMetrics> definition;
  definition.info.name = "aggregator";
  definition.info.description = "daily and monthly chargeback summaries and retention";
  definition.info.extra_usage =
      "  --once daily YYYY-MM-DD          build (or rebuild) one daily summary and exit\n"
      "  --once monthly YYYY-MM           build (or rebuild) one monthly summary (and the\n"
      "                                   month's missing daily summaries) and exit\n";
  definition.info.metrics_port = &core::Settings::aggregator_metrics_port;
  definition.parse_options = aggregator::parse_options;
  definition.run_command = aggregator::run_once;
  definition.make_service = [](service::ServiceContext& c, const aggregator::AggregatorOptions&,
                               aggregator::AggregatorMetrics& m) {
    return std::make_unique<aggregator::AggregatorService>(c, m);
  };
  return service::run_service(argc, argv, definition);
}

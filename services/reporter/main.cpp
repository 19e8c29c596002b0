#include "reporter_metrics.hpp"
#include "reporter_service.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  service::ServiceDefinition definition;
  definition.name = "reporter";
  definition.description = "XLSX chargeback reports";
  definition.metrics_port = &core::Settings::reporter_metrics_port;
  definition.register_metrics = [](metrics::Registry& r) { reporter::ReporterMetrics{r}; };
  definition.make_service = [](service::ServiceContext& c) {
    return std::make_unique<reporter::ReporterService>(c);
  };
  return service::run_service(argc, argv, definition);
}

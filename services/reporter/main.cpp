#include <iostream>

#include "chargeback_gauges.hpp"
#include "report_generator.hpp"
#include "reporter_metrics.hpp"
#include "reporter_options.hpp"
#include "reporter_runtime.hpp"
#include "reporter_service.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  service::ServiceDefinition definition;
  definition.name = "reporter";
  definition.description = "XLSX chargeback reports";
  definition.extra_usage = reporter::kReporterUsage;
  definition.metrics_port = &core::Settings::reporter_metrics_port;
  definition.writes_reports = true;
  definition.check_options = [](const std::vector<std::string>& rest) { reporter::parse_reporter_options(rest); };
  definition.register_metrics = [](metrics::Registry& r, const core::Settings&) {
    reporter::ReporterMetrics{r};
    reporter::ChargebackGauges::declare(r);
  };
  definition.run_command = [](service::ServiceContext& c) -> std::optional<int> {
    const auto once = reporter::parse_reporter_options(c.command_line.rest);
    if (!once) return std::nullopt;
    return reporter::run_once(c, once->period, std::cout, std::cerr);
  };
  definition.make_service = [](service::ServiceContext& c) -> std::unique_ptr<service::Service> {
    return std::make_unique<reporter::ReporterRuntime>(c);
  };
  return service::run_service(argc, argv, definition);
}

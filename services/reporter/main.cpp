#include <iostream>

#include "reporter_metrics.hpp"
#include "reporter_options.hpp"
#include "reporter_service.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  service::ServiceDefinition<std::optional<reporter::OnceRequest>, reporter::ReporterMetrics> definition;
  definition.info.name = "reporter";
  definition.info.description = "XLSX chargeback reports";
  definition.info.extra_usage = reporter::kReporterUsage;
  definition.info.metrics_port = &core::Settings::reporter_metrics_port;
  definition.info.writes_reports = true;
  definition.parse_options = reporter::parse_reporter_options;
  definition.run_command = [](service::CommandContext& c, const std::optional<reporter::OnceRequest>& once,
                              reporter::ReporterMetrics& m) { return reporter::run_once(c, once, m, std::cout, std::cerr); };
  definition.make_service = [](service::ServiceContext& c, const std::optional<reporter::OnceRequest>&,
                               reporter::ReporterMetrics& m) -> std::unique_ptr<service::Service> {
    return std::make_unique<reporter::ReporterService>(c, m);
  };
  return service::run_service(argc, argv, definition);
}

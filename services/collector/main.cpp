#include "collector_metrics.hpp"
#include "collector_service.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  service::ServiceDefinition<collector::CollectorOptions, collector::CollectorMetrics> definition;
  definition.info.name = "collector";
  definition.info.description = "hourly inventory snapshots of every configured vCenter";
  definition.info.extra_usage =
      "  --once                           take one snapshot of every vCenter and exit (non-zero if\n"
      "                                   any vCenter failed)\n"
      "  --at TIME                        with --once: label the snapshot with the hour of TIME\n"
      "                                   (ISO 8601, e.g. 2026-11-24T13:00:00Z) for backfills\n";
  definition.info.metrics_port = &core::Settings::collector_metrics_port;
  definition.parse_options = collector::parse_options;
  definition.run_command = collector::run_once;
  definition.make_service = [](service::ServiceContext& c, const collector::CollectorOptions&,
                               collector::CollectorMetrics& m) {
    return std::make_unique<collector::CollectorService>(c, m);
  };
  return service::run_service(argc, argv, definition);
}

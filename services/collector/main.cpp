#include <algorithm>

#include "collector_metrics.hpp"
#include "collector_service.hpp"

int main(int argc, char** argv) {
  using namespace vctp;
  service::ServiceDefinition definition;
  definition.name = "collector";
  definition.description = "hourly inventory snapshots of every configured vCenter";
  definition.extra_usage =
      "  --once                           take one snapshot of every vCenter and exit (non-zero if\n"
      "                                   any vCenter failed)\n"
      "  --at TIME                        with --once: label the snapshot with the hour of TIME\n"
      "                                   (ISO 8601, e.g. 2026-11-24T13:00:00Z) for backfills\n";
  definition.metrics_port = &core::Settings::collector_metrics_port;
  definition.check_options = collector::check_options;
  definition.register_metrics = [](metrics::Registry& r, const core::Settings& s) {
    collector::CollectorMetrics metrics{r};
    for (const auto& url : s.vcenter_addresses) metrics.add_vcenter(collector::vcenter_metric_label(url));
  };
  definition.run_command = [](service::ServiceContext& c) -> std::optional<int> {
    const auto& rest = c.command_line.rest;
    if (std::find(rest.begin(), rest.end(), "--once") == rest.end()) return std::nullopt;
    return collector::run_once(c);
  };
  definition.make_service = [](service::ServiceContext& c) {
    return std::make_unique<collector::CollectorService>(c);
  };
  return service::run_service(argc, argv, definition);
}

#include "collector_metrics.hpp"

#include "vctp/vsphere/client.hpp"

namespace vctp::collector {

std::string vcenter_metric_label(const std::string& sdk_url) { return vsphere::vcenter_label(sdk_url); }

CollectorMetrics::CollectorMetrics(metrics::Registry& r)
    : registry(r),
      snapshots_total(r.counter("vctp_hourly_snapshots_total", "Hourly vCenter snapshots taken (successful or not).")),
      snapshots_failed_total(r.counter("vctp_hourly_snapshots_failed_total", "Hourly vCenter snapshots that failed.")),
      snapshot_last_unix(r.gauge("vctp_hourly_snapshot_last_unix", "Unix time of the last successful hourly snapshot.")),
      snapshot_last_rows(r.gauge("vctp_hourly_snapshot_last_rows", "VM rows written by the last successful hourly snapshot.")) {}

CollectorMetrics::CollectorMetrics(metrics::Registry& r, const core::Settings& settings) : CollectorMetrics(r) {
  for (const auto& url : settings.vcenter_addresses) add_vcenter(vcenter_metric_label(url));
}

metrics::Counter CollectorMetrics::connect_failures(const std::string& vcenter) {
  return registry.counter("vctp_vcenter_connect_failures_total",
                          "Failed connections or logins to a vCenter.", {{"vcenter", vcenter}});
}

metrics::Gauge CollectorMetrics::snapshot_duration(const std::string& vcenter) {
  return registry.gauge("vctp_vcenter_snapshot_duration_seconds",
                        "Duration of the last snapshot of a vCenter, in seconds.", {{"vcenter", vcenter}});
}

metrics::Gauge CollectorMetrics::inventory_size(const std::string& vcenter) {
  return registry.gauge("vctp_vcenter_inventory_size", "VMs seen in a vCenter by the last snapshot.",
                        {{"vcenter", vcenter}});
}

void CollectorMetrics::add_vcenter(const std::string& vcenter) {
  connect_failures(vcenter);
  snapshot_duration(vcenter);
  inventory_size(vcenter);
}

}  // namespace vctp::collector

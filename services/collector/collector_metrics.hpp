#pragma once

#include <string>
#include <vector>

#include "vctp/core/settings.hpp"
#include "vctp/metrics/registry.hpp"

namespace vctp::collector {

/// The `vcenter` label of a vCenter's series: its address as written in the URL.
std::string vcenter_metric_label(const std::string& sdk_url);

/// The collector's metrics; per-vCenter ones are created for every configured vCenter at start.
struct CollectorMetrics {
  explicit CollectorMetrics(metrics::Registry& registry);
  /// With the per-vCenter series of every vCenter in vcenter_addresses.
  CollectorMetrics(metrics::Registry& registry, const core::Settings& settings);

  /// Creates the per-vCenter series for `vcenter` (reading 0 until it is first snapshotted).
  void add_vcenter(const std::string& vcenter);

  metrics::Registry& registry;
  metrics::Counter snapshots_total;
  metrics::Counter snapshots_failed_total;
  metrics::Gauge snapshot_last_unix;
  metrics::Gauge snapshot_last_rows;
  metrics::Counter connect_failures(const std::string& vcenter);
  metrics::Gauge snapshot_duration(const std::string& vcenter);
  metrics::Gauge inventory_size(const std::string& vcenter);
};

}  // namespace vctp::collector

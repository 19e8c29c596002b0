#pragma once

#include <string>
#include <vector>

#include "chargeback_rules.hpp"
#include "period.hpp"
#include "summary_result.hpp"
#include "summary_sql.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/snapshot_registry.hpp"

namespace vctp::aggregator {

/// Builds summary_daily_YYYYMMDD (one row per VM, keyed by vcenter_uuid + instance_uuid) and its
/// companions summary_daily_pools_YYYYMMDD (share of the day per resource pool) and
/// summary_daily_nodes_YYYYMMDD (node-hours per node-charge cluster) from the day's hourly
/// tables, set-based in SQL, in the caller's transaction, and registers the summary.
///
/// Definitions (UTC; DS/DE = start/end of the day):
/// - A VM's lifetime in the day is [max(DS, creation), min(DE, deletion)) when its creation or
///   deletion time (inventory, else vm_events, else the hourly rows' creation_time) falls inside
///   the day ("exact"); otherwise it is the whole day.
/// - presence = lifetime / 24 h when exact, else samples_seen / samples_expected, where
///   samples_expected = hourly snapshots its vCenter completed that day (registry status ok).
/// - Each hourly sample stands for the hour it opens, [h, h+1h), clipped to the lifetime; its
///   weight is that clipped length in seconds. avg_vcpu, avg_ram_gb, avg_disk_gb and
///   powered_on_share are weighted averages of the samples (so averages over the time present
///   and observed); the plain mean of the samples when every weight is 0.
/// - Name, placement, flags: those of the VM's last sample of the day.
/// - node_charge: its cluster matches node_charge_clusters; charged = not a template, not in a
///   node-charge cluster (those are charged per node), and not an SRM placeholder unless its
///   name matches srm_activeactive_vms. VMs of tenants matching tenants_to_filter are left out.
/// - Pools: share_of_presence = weight in the pool / total weight; share = presence x that
///   (share of the day), hours = share x 24.
/// - Nodes: per (vCenter, node-charge cluster): node_hours = host samples x 24 / host snapshots
///   that vCenter completed that day (each host sample stands for 24/expected hours).
class DailySummary {
 public:
  DailySummary(const store::SnapshotRegistry& registry, ChargebackRules rules)
      : registry_(registry), rules_(std::move(rules)) {}

  /// Replaces the day's summary tables and registry row. Throws InvalidRequest when the day
  /// has no hourly data, StoreError on database failures.
  SummaryResult build(store::Transaction& tx, const Period& day) const;

 private:
  const store::SnapshotRegistry& registry_;
  ChargebackRules rules_;
};

}  // namespace vctp::aggregator

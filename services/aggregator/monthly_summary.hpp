#pragma once

#include <vector>

#include "period.hpp"
#include "summary_result.hpp"
#include "summary_sql.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/snapshot_registry.hpp"

namespace vctp::aggregator {

/// Builds summary_monthly_YYYYMM (one row per VM) and its companions summary_monthly_pools_YYYYMM
/// and summary_monthly_nodes_YYYYMM from the month's daily summaries, set-based in SQL, in the
/// caller's transaction, and registers the summary.
///
/// Definitions (D = days in the month; sums over the VM's rows in the daily summaries):
/// - days_present = days with presence > 0; samples_seen / samples_expected are summed;
///   completeness = samples_seen / samples_expected.
/// - presence = sum(presence) / D; hours_present = sum(hours_present).
/// - avg_* and powered_on_share = sum(presence x daily value) / sum(presence) (the plain mean
///   when every presence is 0); max_* = max of the days.
/// - Name, placement and flags (template, SRM, node_charge, charged): those of the last day.
///   creation_time = earliest, deletion_time = latest.
/// - Pools: share (of the month) = sum(daily share) / D, hours = sum(daily hours).
/// - Nodes: node_hours, host_samples, samples_expected summed per (vCenter, cluster); hosts =
///   max of the days.
class MonthlySummary {
 public:
  explicit MonthlySummary(const store::SnapshotRegistry& registry) : registry_(registry) {}

  /// Replaces the month's summary tables and registry row. Throws InvalidRequest when the
  /// month has no daily summary.
  SummaryResult build(store::Transaction& tx, const Period& month) const;

 private:
  const store::SnapshotRegistry& registry_;
};

}  // namespace vctp::aggregator

#pragma once

#include <vector>

#include "vctp/store/columns.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::store {

/// The columns of the summary tables the aggregator writes and the reporter and gateway read,
/// in table order, for `kind` kDaily (summary_daily_*) or kMonthly (summary_monthly_*). One list
/// declares both levels; a column only one level has is marked so. Throws StoreError for any
/// other kind.
std::vector<ColumnSpec> summary_columns(SnapshotKind kind);
/// The companions summary_{daily,monthly}_pools_* (a VM's share of the period per pool).
std::vector<ColumnSpec> summary_pool_columns(SnapshotKind kind);
/// The companions summary_{daily,monthly}_nodes_* (node-hours per node-charge cluster).
std::vector<ColumnSpec> summary_node_columns(SnapshotKind kind);

}  // namespace vctp::store

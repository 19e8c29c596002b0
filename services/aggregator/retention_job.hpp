#pragma once

#include <string>
#include <vector>

#include "vctp/core/clock.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/store/database.hpp"

namespace vctp::aggregator {

/// The retention cleanup of snapshot_cleanup_cron: the store's cleanup_snapshots with the
/// settings' policy, then the summaries' companion tables (summary_daily_pools_*, ..._nodes_*)
/// whose summary table is gone. Returns the tables dropped.
std::vector<std::string> run_retention(store::Database& db, const core::Clock& clock,
                                       const core::Settings& settings);

/// Drops companion tables whose summary table no longer exists; returns them.
std::vector<std::string> drop_orphan_companions(store::Database& db);

}  // namespace vctp::aggregator

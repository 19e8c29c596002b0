#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vctp/core/clock.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/store/database.hpp"

namespace vctp::store {

/// How long snapshot tables are kept. A value <= 0 keeps that kind forever. Monthly summaries
/// are always kept.
struct RetentionPolicy {
  std::int64_t hourly_max_age_days = 60;   ///< snap_hourly_* and snap_hosts_*
  std::int64_t daily_max_age_months = 12;  ///< summary_daily_*

  static RetentionPolicy from_settings(const core::Settings& settings);
};

struct CleanupResult {
  /// Tables dropped (and unregistered), oldest first.
  std::vector<std::string> dropped;
  /// Registry entries removed whose table no longer existed (failed snapshots, say).
  std::int64_t unregistered_only = 0;
};

/// Drops and unregisters hourly and host tables whose hour started more than
/// hourly_max_age_days before `clock.now()`, and daily summary tables whose day is before the
/// same day hourly_max_age_months ago; registered and unregistered (catalogue) tables alike.
/// Each table goes in its own transaction. The aggregator calls this on snapshot_cleanup_cron.
CleanupResult cleanup_snapshots(Database& db, const core::Clock& clock,
                                const RetentionPolicy& policy);

}  // namespace vctp::store

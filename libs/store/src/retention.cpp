#include "vctp/store/retention.hpp"

#include <algorithm>
#include <map>

#include "vctp/core/logging.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/snapshot_registry.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::store {

using namespace std::chrono;

RetentionPolicy RetentionPolicy::from_settings(const core::Settings& settings) {
  return {settings.hourly_snapshot_max_age_days, settings.daily_snapshot_max_age_months};
}

namespace {

/// The same day `n` months earlier (the month's last day when it is shorter).
sys_days months_before(sys_days today, std::int64_t n) {
  const year_month_day ymd{today};
  const year_month ym = ymd.year() / ymd.month() - months(n);
  const auto last_day = (ym / std::chrono::last).day();
  return sys_days{ym / std::min(ymd.day(), last_day)};
}

}  // namespace

CleanupResult cleanup_snapshots(Database& db, const core::Clock& clock,
                                const RetentionPolicy& policy) {
  const auto now = clock.now();
  // kind -> tables whose period starts before that kind's cut-off
  std::map<std::string, TableName> doomed;
  std::vector<std::pair<SnapshotKind, system_clock::time_point>> cutoffs;
  if (policy.hourly_max_age_days > 0) {
    const auto cutoff = core::floor_hour(now) - days(policy.hourly_max_age_days);
    cutoffs.emplace_back(SnapshotKind::kHourly, cutoff);
    cutoffs.emplace_back(SnapshotKind::kHosts, cutoff);
  }
  if (policy.daily_max_age_months > 0) {
    cutoffs.emplace_back(SnapshotKind::kDaily,
                         months_before(floor<days>(now), policy.daily_max_age_months));
  }

  std::vector<std::string> existing;
  db.read([&](Transaction& tx) {
    existing = tx.list_tables("*");
    for (const auto& [kind, cutoff] : cutoffs) {
      for (const auto& name : tx.list_tables(table_glob(kind))) {
        const auto table = TableName::try_parse(name);
        if (table && table->kind() == kind && table->period_start() < cutoff) {
          doomed.emplace(name, *table);
        }
      }
      const auto rows = tx.query(
          "SELECT DISTINCT table_name FROM snapshot_registry WHERE kind = $1 AND period_start < " +
              tx.dialect().timestamp_param(2),
          {std::string(to_string(kind)), time_value(cutoff)});
      for (const auto& row : rows) {
        const auto table = TableName::try_parse(row.get_text(0));
        if (table) doomed.emplace(table->str(), *table);
      }
    }
  });

  CleanupResult result;
  std::vector<TableName> ordered;
  for (const auto& [name, table] : doomed) ordered.push_back(table);
  std::sort(ordered.begin(), ordered.end(), [](const TableName& a, const TableName& b) {
    return a.period_start() < b.period_start() ||
           (a.period_start() == b.period_start() && a.str() < b.str());
  });
  for (const auto& table : ordered) {
    db.transact([&](Transaction& tx) { drop_snapshot_table(tx, table); });
    if (std::binary_search(existing.begin(), existing.end(), table.str())) {
      result.dropped.push_back(table.str());
    } else {
      ++result.unregistered_only;
    }
  }
  core::log_info("snapshot retention cleanup done",
                 {{"now", core::format_iso8601(now)},
                  {"hourly_max_age_days", std::to_string(policy.hourly_max_age_days)},
                  {"daily_max_age_months", std::to_string(policy.daily_max_age_months)},
                  {"dropped", std::to_string(result.dropped.size())},
                  {"unregistered_only", std::to_string(result.unregistered_only)}});
  return result;
}

}  // namespace vctp::store

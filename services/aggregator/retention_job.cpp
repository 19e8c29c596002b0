#include "retention_job.hpp"

#include "period.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/store/retention.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::aggregator {

std::vector<std::string> drop_orphan_companions(store::Database& db) {
  std::vector<std::string> dropped;
  for (const std::string prefix : {"summary_daily_", "summary_monthly_"}) {
    for (const std::string what : {"pools", "nodes"}) {
      for (const auto& name : db.list_tables(prefix + what + "_*")) {
        // Rebuild both names from a validated TableName: nothing from the catalogue reaches SQL.
        const auto main = store::TableName::try_parse(prefix + name.substr(prefix.size() + what.size() + 1));
        if (!main) continue;
        const auto period = Period::containing(
            main->kind() == store::SnapshotKind::kDaily ? SummaryKind::kDaily : SummaryKind::kMonthly,
            main->period_start());
        const auto companion = period.companion_table(what);
        if (companion != name || db.table_exists(main->str())) continue;
        db.execute("DROP TABLE IF EXISTS " + db.dialect().quote_identifier(companion));
        dropped.push_back(companion);
      }
    }
  }
  return dropped;
}

std::vector<std::string> run_retention(store::Database& db, const core::Clock& clock,
                                       const core::Settings& settings) {
  const auto result =
      store::cleanup_snapshots(db, clock, store::RetentionPolicy::from_settings(settings));
  auto dropped = result.dropped;
  for (auto& t : drop_orphan_companions(db)) dropped.push_back(std::move(t));
  core::log_info("retention cleanup done", {{"dropped", std::to_string(dropped.size())},
                                            {"unregistered_only",
                                             std::to_string(result.unregistered_only)}});
  return dropped;
}

}  // namespace vctp::aggregator

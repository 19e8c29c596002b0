#pragma once

#include <memory>
#include <string>
#include <vector>

#include "report_generator.hpp"
#include "vctp/store/columns.hpp"

namespace vctp::store {
class Database;
}

namespace vctp::reporter {

/// Report data read from the database: hourly snapshot tables, daily and monthly summary tables
/// (found through snapshot_registry), node-hours from the aggregator's companion tables
/// summary_daily_nodes_YYYYMMDD / summary_monthly_nodes_YYYYMM, completeness from the registry's
/// hourly entries.
///
/// The aggregator writes the nodes table in the transaction that writes its summary, so a
/// summary without one was not made by it (restored from elsewhere, say). Such a summary is
/// reported only when nothing in it is charged per node (no node-charge VM, no
/// `node_charge_clusters`); otherwise daily() and monthly() throw NoReportData asking for the
/// period to be aggregated again, rather than guess node-hours the aggregator did not compute.
/// The summary columns (store::summary_columns, both levels) a report reads into a SummaryVm;
/// monthly summaries add days_present.
const std::vector<store::Column<SummaryVm>>& summary_vm_columns();

class StoreReportSource final : public ReportSource {
 public:
  /// `expected_vcenters`: how many vCenters should take hourly snapshots (at least the number
  /// seen in the registry is assumed).
  StoreReportSource(store::Database& db, std::vector<std::string> node_charge_clusters,
                    std::size_t expected_vcenters);
  HourlyReportData hourly(const ReportPeriod& period) override;
  DailyReportData daily(const ReportPeriod& period) override;
  MonthlyReportData monthly(const ReportPeriod& period) override;

 private:
  std::vector<SummaryVm> summary_rows(const ReportPeriod& period);
  std::vector<NodeChargeCluster> node_clusters(const ReportPeriod& period, const std::vector<SummaryVm>& vms);
  Completeness completeness(const ReportPeriod& period);
  std::vector<DailyTrendPoint> trend(const ReportPeriod& month);

  store::Database& db_;
  std::vector<std::string> node_charge_clusters_;
  std::size_t expected_vcenters_;
};

/// Records reports in the `reports` table.
class StoreReportCatalog final : public ReportCatalog {
 public:
  explicit StoreReportCatalog(store::Database& db) : db_(db) {}
  void record(const GeneratedReport& report) override;

 private:
  store::Database& db_;
};

}  // namespace vctp::reporter

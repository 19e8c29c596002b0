#pragma once

#include <memory>
#include <string>
#include <vector>

#include "report_generator.hpp"

namespace vctp::store {
class Database;
}

namespace vctp::reporter {

/// Where node-hours of node-charge clusters come from. The aggregator may one day keep them in a
/// table of its own; until then HostSnapshotNodeHours counts them from the hourly host snapshots.
class NodeHoursSource {
 public:
  virtual ~NodeHoursSource() = default;
  virtual std::vector<NodeChargeCluster> node_hours(const ReportPeriod& period) = 0;
};

/// Node-hours from snap_hosts_YYYYMMDDHH: every host of a cluster matching `node_charge_clusters`
/// present in an hourly host snapshot counts one node-hour.
class HostSnapshotNodeHours final : public NodeHoursSource {
 public:
  HostSnapshotNodeHours(store::Database& db, std::vector<std::string> node_charge_clusters);
  std::vector<NodeChargeCluster> node_hours(const ReportPeriod& period) override;

 private:
  store::Database& db_;
  std::vector<std::string> node_charge_clusters_;
};

/// Report data read from the database: hourly snapshot tables, daily and monthly summary tables
/// (found through snapshot_registry), completeness from the registry's hourly entries.
class StoreReportSource final : public ReportSource {
 public:
  /// `expected_vcenters`: how many vCenters should take hourly snapshots (at least the number
  /// seen in the registry is assumed).
  StoreReportSource(store::Database& db, NodeHoursSource& nodes, std::size_t expected_vcenters);
  HourlyReportData hourly(const ReportPeriod& period) override;
  DailyReportData daily(const ReportPeriod& period) override;
  MonthlyReportData monthly(const ReportPeriod& period) override;

 private:
  std::vector<SummaryVm> summary_rows(const ReportPeriod& period);
  Completeness completeness(const ReportPeriod& period);
  std::vector<DailyTrendPoint> trend(const ReportPeriod& month);

  store::Database& db_;
  NodeHoursSource& nodes_;
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

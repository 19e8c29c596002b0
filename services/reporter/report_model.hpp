#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report_period.hpp"
#include "vctp/core/vm_record.hpp"

namespace vctp::reporter {

/// One VM of an hourly snapshot (a row of snap_hourly_YYYYMMDDHH): the shared VM record.
using SnapshotVm = core::VmRecord;

/// One VM of a daily or monthly summary (the public columns of summary_daily_* /
/// summary_monthly_*). Averages are over the time the VM was present.
struct SummaryVm {
  std::string vcenter;
  std::string vcenter_uuid;
  std::string instance_uuid;
  std::string name;
  std::string datacenter;
  std::string cluster;
  std::string tenant;
  std::string folder;
  std::string resource_pool;
  std::int64_t samples_seen = 0;
  std::int64_t samples_expected = 0;
  double presence = 0;  ///< share of the period the VM existed, 0..1
  double avg_vcpu = 0;
  double max_vcpu = 0;
  double avg_ram_gb = 0;
  double max_ram_gb = 0;
  double avg_disk_gb = 0;
  double powered_on_share = 0;  ///< share of its present time the VM was powered on, 0..1
  bool is_template = false;
  bool srm_placeholder = false;
  bool node_charge = false;
  std::optional<TimePoint> creation_time;
  std::optional<TimePoint> deletion_time;
  std::optional<double> days_present;  ///< monthly summaries only
};

/// Hosts of a node-charge cluster over a period: charged per node-hour, not per VM. As the
/// aggregator computed them (summary_daily_nodes_YYYYMMDD / summary_monthly_nodes_YYYYMM).
struct NodeChargeCluster {
  std::string vcenter;
  std::string vcenter_uuid;
  std::string cluster;
  double avg_hosts = 0;  ///< node_hours / hours of the period
  double node_hours = 0;
};

/// How many hourly snapshots a period was built from, against how many it should have had.
struct Completeness {
  std::int64_t snapshots_seen = 0;
  std::int64_t snapshots_expected = 0;
};

/// The fleet on one day of a month, for the monthly trend chart (presence-weighted).
struct DailyTrendPoint {
  TimePoint day;
  double vms = 0;
  double vcpus = 0;
  double ram_gb = 0;
};

/// Everything an hourly report shows.
struct HourlyReportData {
  ReportPeriod period;
  std::vector<SnapshotVm> vms;
};

/// Everything a daily report shows.
struct DailyReportData {
  ReportPeriod period;
  std::vector<SummaryVm> vms;
  std::vector<NodeChargeCluster> node_clusters;
  Completeness completeness;
};

/// Everything a monthly report (and its FOCUS export) shows.
struct MonthlyReportData {
  ReportPeriod period;
  std::vector<SummaryVm> vms;
  std::vector<NodeChargeCluster> node_clusters;
  Completeness completeness;
  std::vector<DailyTrendPoint> trend;
};

}  // namespace vctp::reporter

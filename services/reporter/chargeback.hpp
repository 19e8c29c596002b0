#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report_model.hpp"
#include "vctp/core/settings.hpp"

namespace vctp::reporter {

/// What a VM used over a report's period.
struct Usage {
  double vm_days = 0;
  double vcpu_hours = 0;
  double ram_gb_hours = 0;
  double disk_gb_days = 0;
  double powered_on_hours = 0;

  Usage& operator+=(const Usage& o);
};

/// What that use costs under a rate card.
struct Cost {
  double vcpu = 0;
  double ram = 0;
  double disk = 0;
  double total() const { return vcpu + ram + disk; }

  Cost& operator+=(const Cost& o);
};

/// Use of a VM in an hourly snapshot: one hour of what it has.
Usage snapshot_usage(const SnapshotVm& vm);
/// Use of a VM in a daily or monthly summary: its averages over the hours it was present
/// (presence × hours of the period).
Usage summary_usage(const SummaryVm& vm, const ReportPeriod& period);

/// The chargeback rules a report applies (from the settings).
struct ChargePolicy {
  /// SRM placeholder VMs matching these globs are charged (active/active pairs).
  std::vector<std::string> srm_activeactive_vms;
  /// Prices, when the settings have a rate card.
  std::optional<core::RateCard> rates;
  /// VMs whose tenant matches one of these globs are left out of reports.
  std::vector<std::string> tenants_to_filter;
  /// Clusters charged per host node, not per VM (case-insensitive shell globs). Hourly reports
  /// apply them to the snapshot's VMs; daily and monthly summaries carry the aggregator's
  /// node_charge flag instead.
  std::vector<std::string> node_charge_clusters;

  static ChargePolicy from_settings(const core::Settings& settings);

  /// Whether VMs of `tenant` are left out of reports (tenants_to_filter).
  bool is_filtered(const std::string& tenant) const;
  /// Whether `cluster` is charged per node (node_charge_clusters).
  bool is_node_charge(const std::string& cluster) const;
  /// Removes the VMs of filtered tenants.
  template <class Vm>
  void remove_filtered(std::vector<Vm>& vms) const {
    if (tenants_to_filter.empty()) return;
    std::erase_if(vms, [this](const Vm& vm) { return is_filtered(vm.tenant); });
  }

  /// Whether a VM is charged per VM: templates, SRM placeholders (unless active/active) and
  /// VMs of node-charge clusters (charged per node) are not.
  bool is_charged(const std::string& name, bool is_template, bool srm_placeholder,
                  bool node_charge) const;
  /// The cost of `usage` at the prices for (tenant, pool); zero without a rate card.
  /// Disk is priced per GB-month: GB-days / days of the month × disk_gb_month.
  Cost cost(const Usage& usage, const std::string& tenant, const std::string& pool,
            int days_in_month) const;
  /// The cost of node-hours of a cluster at the default node price.
  double node_cost(double node_hours) const;
};

/// Totals of one group of VMs (one vCenter, cluster, tenant or pool).
struct GroupTotal {
  std::vector<std::string> key;
  std::int64_t vms = 0;
  std::int64_t powered_on = 0;
  double vcpus = 0;
  double ram_gb = 0;
  double disk_gb = 0;
  Usage usage;
  Cost cost;
};

/// One VM as totals see it: its group keys come from the caller.
struct VmContribution {
  bool powered_on = false;
  double vcpus = 0;
  double ram_gb = 0;
  double disk_gb = 0;
  Usage usage;
  Cost cost;
};

/// Sums contributions per key, ordered by key.
class GroupTotals {
 public:
  void add(const std::vector<std::string>& key, const VmContribution& vm);
  std::vector<GroupTotal> sorted() const;

 private:
  std::map<std::vector<std::string>, GroupTotal> groups_;
};

/// A VM of a report with what it used, whether it is charged and what it costs.
struct PricedSnapshotVm {
  const SnapshotVm* vm;
  Usage usage;
  bool node_charge = false;  ///< in a node-charge cluster (so not charged per VM)
  bool charged = false;
  Cost cost;
};
struct PricedSummaryVm {
  const SummaryVm* vm;
  Usage usage;
  bool charged = false;
  Cost cost;
};

std::vector<PricedSnapshotVm> price_snapshot(const HourlyReportData& data, const ChargePolicy& policy);
std::vector<PricedSummaryVm> price_summary(const std::vector<SummaryVm>& vms, const ReportPeriod& period,
                                           const ChargePolicy& policy);

}  // namespace vctp::reporter

#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "chargeback.hpp"
#include "report_model.hpp"
#include "report_period.hpp"
#include "vctp/metrics/registry.hpp"

namespace vctp::reporter {

/// The chargeback totals of the latest closed day and month as Prometheus gauges, one series per
/// (kind, vcenter, cluster, tenant), for dashboards: vctp_chargeback_vms (presence-weighted VM
/// count), vctp_chargeback_vcpu, vctp_chargeback_ram_gb and vctp_chargeback_disk_gb (allocations
/// averaged over the period), vctp_chargeback_cost{currency} (what the rate card charges for the
/// period), and vctp_chargeback_period_start_unix{kind}. Only charged VMs count, as in the
/// reports. Every replica computing them from the same database exports the same values.
class ChargebackGauges {
 public:
  ChargebackGauges(metrics::Registry& registry, ChargePolicy policy);

  /// Declares the families so that they show before the first update.
  static void declare(metrics::Registry& registry);

  /// Replaces the totals of period.kind() (daily or monthly) with those of `vms`, the period's
  /// summary; series of groups no longer present are removed. A period older than the one
  /// already shown is ignored (a regenerated old day does not replace the latest one).
  /// Returns whether the gauges changed.
  bool update(const ReportPeriod& period, std::vector<SummaryVm> vms);

  /// The period shown for `kind`, if any.
  std::optional<ReportPeriod> shown(ReportKind kind) const;

 private:
  using Key = std::vector<std::string>;  // vcenter, cluster, tenant
  metrics::Registry& registry_;
  ChargePolicy policy_;
  mutable std::mutex mutex_;
  std::map<ReportKind, ReportPeriod> shown_;
  std::map<ReportKind, std::vector<Key>> series_;
};

}  // namespace vctp::reporter

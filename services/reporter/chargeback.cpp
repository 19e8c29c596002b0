#include "chargeback.hpp"

#include "vctp/core/glob.hpp"

namespace vctp::reporter {

Usage& Usage::operator+=(const Usage& o) {
  vm_days += o.vm_days;
  vcpu_hours += o.vcpu_hours;
  ram_gb_hours += o.ram_gb_hours;
  disk_gb_days += o.disk_gb_days;
  powered_on_hours += o.powered_on_hours;
  return *this;
}

Cost& Cost::operator+=(const Cost& o) {
  vcpu += o.vcpu;
  ram += o.ram;
  disk += o.disk;
  return *this;
}

Usage snapshot_usage(const SnapshotVm& vm) {
  Usage u;
  u.vm_days = 1.0 / 24.0;
  u.vcpu_hours = static_cast<double>(vm.vcpu_count);
  u.ram_gb_hours = static_cast<double>(vm.ram_mb) / 1024.0;
  u.disk_gb_days = vm.disk_gb / 24.0;
  u.powered_on_hours = vm.power_state == "poweredOn" ? 1.0 : 0.0;
  return u;
}

Usage summary_usage(const SummaryVm& vm, const ReportPeriod& period) {
  const double hours_present = vm.presence * period.hours();
  Usage u;
  u.vm_days = hours_present / 24.0;
  u.vcpu_hours = vm.avg_vcpu * hours_present;
  u.ram_gb_hours = vm.avg_ram_gb * hours_present;
  u.disk_gb_days = vm.avg_disk_gb * hours_present / 24.0;
  u.powered_on_hours = vm.powered_on_share * hours_present;
  return u;
}

ChargePolicy ChargePolicy::from_settings(const core::Settings& settings) {
  ChargePolicy policy;
  policy.srm_activeactive_vms = settings.srm_activeactive_vms;
  policy.rates = settings.rates;
  policy.tenants_to_filter = settings.tenants_to_filter;
  policy.node_charge_clusters = settings.node_charge_clusters;
  return policy;
}

bool ChargePolicy::is_filtered(const std::string& tenant) const {
  return core::glob_match_any(tenants_to_filter, tenant);
}

bool ChargePolicy::is_node_charge(const std::string& cluster) const {
  return core::glob_match_any(node_charge_clusters, cluster);
}

bool ChargePolicy::is_charged(const std::string& name, bool is_template, bool srm_placeholder,
                              bool node_charge) const {
  if (is_template || node_charge) return false;
  if (srm_placeholder) return core::glob_match_any(srm_activeactive_vms, name);
  return true;
}

Cost ChargePolicy::cost(const Usage& usage, const std::string& tenant, const std::string& pool,
                        int days_in_month) const {
  if (!rates) return {};
  const core::Rates r = rates->effective(tenant, pool);
  Cost c;
  c.vcpu = usage.vcpu_hours * r.vcpu_hour.value_or(0);
  c.ram = usage.ram_gb_hours * r.ram_gb_hour.value_or(0);
  c.disk = usage.disk_gb_days / days_in_month * r.disk_gb_month.value_or(0);
  return c;
}

double ChargePolicy::node_cost(double node_hours) const {
  return rates ? node_hours * rates->node_hour : 0.0;
}

void GroupTotals::add(const std::vector<std::string>& key, const VmContribution& vm) {
  auto& g = groups_[key];
  g.key = key;
  ++g.vms;
  if (vm.powered_on) ++g.powered_on;
  g.vcpus += vm.vcpus;
  g.ram_gb += vm.ram_gb;
  g.disk_gb += vm.disk_gb;
  g.usage += vm.usage;
  g.cost += vm.cost;
}

std::vector<GroupTotal> GroupTotals::sorted() const {
  std::vector<GroupTotal> out;
  out.reserve(groups_.size());
  for (const auto& [key, total] : groups_) out.push_back(total);
  return out;
}

std::vector<PricedSnapshotVm> price_snapshot(const HourlyReportData& data, const ChargePolicy& policy) {
  std::vector<PricedSnapshotVm> out;
  out.reserve(data.vms.size());
  const int dim = data.period.days_in_month();
  for (const auto& vm : data.vms) {
    PricedSnapshotVm p{&vm, snapshot_usage(vm), policy.is_node_charge(vm.cluster), false, {}};
    p.charged = policy.is_charged(vm.name, vm.is_template, vm.srm_placeholder, p.node_charge);
    if (p.charged) p.cost = policy.cost(p.usage, vm.tenant, vm.resource_pool, dim);
    out.push_back(p);
  }
  return out;
}

std::vector<PricedSummaryVm> price_summary(const std::vector<SummaryVm>& vms, const ReportPeriod& period,
                                           const ChargePolicy& policy) {
  std::vector<PricedSummaryVm> out;
  out.reserve(vms.size());
  const int dim = period.days_in_month();
  for (const auto& vm : vms) {
    PricedSummaryVm p{&vm, summary_usage(vm, period),
                      policy.is_charged(vm.name, vm.is_template, vm.srm_placeholder, vm.node_charge), {}};
    if (p.charged) p.cost = policy.cost(p.usage, vm.tenant, vm.resource_pool, dim);
    out.push_back(p);
  }
  return out;
}

}  // namespace vctp::reporter

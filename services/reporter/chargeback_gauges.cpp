#include "chargeback_gauges.hpp"

#include <chrono>

namespace vctp::reporter {
namespace {

struct Family {
  const char* name;
  const char* help;
};

constexpr Family kVms{"vctp_chargeback_vms", "Charged VMs of the latest closed day or month, weighted by presence"};
constexpr Family kVcpu{"vctp_chargeback_vcpu", "vCPUs allocated to charged VMs, averaged over the latest closed day or month"};
constexpr Family kRam{"vctp_chargeback_ram_gb", "RAM (GB) allocated to charged VMs, averaged over the latest closed day or month"};
constexpr Family kDisk{"vctp_chargeback_disk_gb", "Disk (GB) provisioned for charged VMs, averaged over the latest closed day or month"};
constexpr Family kCost{"vctp_chargeback_cost", "What the rate card charges for the latest closed day or month, in its currency"};
constexpr Family kPeriod{"vctp_chargeback_period_start_unix", "Start of the day or month the vctp_chargeback_* gauges show"};

constexpr Family kTotals[] = {kVms, kVcpu, kRam, kDisk, kCost};

std::string kind_label(ReportKind kind) { return kind == ReportKind::kMonthly ? "monthly" : "daily"; }

struct Totals {
  double vms = 0, vcpu = 0, ram_gb = 0, disk_gb = 0, cost = 0;
};

}  // namespace

ChargebackGauges::ChargebackGauges(metrics::Registry& registry, ChargePolicy policy)
    : registry_(registry), policy_(std::move(policy)) {
  declare(registry_);
}

void ChargebackGauges::declare(metrics::Registry& registry) {
  for (const auto& f : kTotals) registry.declare_gauge_family(f.name, f.help);
  registry.declare_gauge_family(kPeriod.name, kPeriod.help);
}

bool ChargebackGauges::update(const ReportPeriod& period, std::vector<SummaryVm> vms) {
  const auto kind = period.kind();
  if (kind == ReportKind::kHourly) return false;
  policy_.remove_filtered(vms);

  std::map<Key, Totals> totals;
  for (const auto& priced : price_summary(vms, period, policy_)) {
    if (!priced.charged) continue;
    const auto& vm = *priced.vm;
    auto& t = totals[{vm.vcenter, vm.cluster, vm.tenant}];
    t.vms += vm.presence;
    t.vcpu += vm.avg_vcpu * vm.presence;
    t.ram_gb += vm.avg_ram_gb * vm.presence;
    t.disk_gb += vm.avg_disk_gb * vm.presence;
    t.cost += priced.cost.total();
  }
  const std::string currency = policy_.rates ? policy_.rates->currency : "";

  std::lock_guard lock(mutex_);
  if (const auto it = shown_.find(kind); it != shown_.end() && period.start() < it->second.start()) return false;
  const auto labels = [&](const Key& key, bool with_currency) {
    metrics::Labels l{{"kind", kind_label(kind)}, {"vcenter", key[0]}, {"cluster", key[1]}, {"tenant", key[2]}};
    if (with_currency) l["currency"] = currency;
    return l;
  };
  constexpr std::size_t kCostIndex = 4;
  for (const auto& key : series_[kind]) {
    if (totals.count(key)) continue;
    for (std::size_t i = 0; i < std::size(kTotals); ++i) {
      registry_.remove_gauge(kTotals[i].name, labels(key, i == kCostIndex));
    }
  }
  std::vector<Key> keys;
  for (const auto& [key, t] : totals) {
    keys.push_back(key);
    const double values[] = {t.vms, t.vcpu, t.ram_gb, t.disk_gb, t.cost};
    for (std::size_t i = 0; i < std::size(kTotals); ++i) {
      registry_.gauge(kTotals[i].name, kTotals[i].help, labels(key, i == kCostIndex)).set(values[i]);
    }
  }
  series_[kind] = std::move(keys);
  registry_.gauge(kPeriod.name, kPeriod.help, {{"kind", kind_label(kind)}})
      .set(static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(period.start().time_since_epoch()).count()));
  shown_.insert_or_assign(kind, period);
  return true;
}

std::optional<ReportPeriod> ChargebackGauges::shown(ReportKind kind) const {
  std::lock_guard lock(mutex_);
  const auto it = shown_.find(kind);
  if (it == shown_.end()) return std::nullopt;
  return it->second;
}

}  // namespace vctp::reporter

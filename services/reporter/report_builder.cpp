#include "report_builder.hpp"

#include <memory>

namespace vctp::reporter {
namespace {

using F = CellFormat;
using T = TotalKind;

Cell text(const std::string& s) { return Cell{s}; }
Cell num(double v) { return Cell{v}; }
Cell opt_time(const std::optional<TimePoint>& t) { return t ? Cell{*t} : Cell{}; }

/// Columns and their fillers added together, so a column cannot be added without its value.
template <class Row>
class SheetBuilder {
 public:
  using Getter = std::function<Cell(const Row&)>;
  void add(std::string header, F format, double width, T total, Getter get) {
    columns_.push_back(Column{std::move(header), format, width, total});
    getters_.push_back(std::move(get));
  }
  SheetSpec build(std::string name, std::shared_ptr<const std::vector<Row>> rows, bool totals) && {
    SheetSpec s;
    s.name = std::move(name);
    s.columns = std::move(columns_);
    s.row_count = rows->size();
    s.totals_row = totals;
    s.fill_row = [rows, getters = std::move(getters_)](std::size_t r, std::vector<Cell>& cells) {
      const Row& row = (*rows)[r];
      for (std::size_t c = 0; c < getters.size(); ++c) cells[c] = getters[c](row);
    };
    return s;
  }
  std::size_t size() const { return columns_.size(); }

 private:
  std::vector<Column> columns_;
  std::vector<Getter> getters_;
};

void add_cost_columns(SheetBuilder<PricedSnapshotVm>& b) {
  b.add("vCPU cost (hour)", F::kMoney, 13, T::kSum, [](const PricedSnapshotVm& p) { return num(p.cost.vcpu); });
  b.add("RAM cost (hour)", F::kMoney, 13, T::kSum, [](const PricedSnapshotVm& p) { return num(p.cost.ram); });
  b.add("Disk cost (hour)", F::kMoney, 13, T::kSum, [](const PricedSnapshotVm& p) { return num(p.cost.disk); });
  b.add("Cost (hour)", F::kMoney, 13, T::kSum, [](const PricedSnapshotVm& p) { return num(p.cost.total()); });
}

template <class Row>
void add_usage_cost_columns(SheetBuilder<Row>& b, bool priced) {
  b.add("VM-days", F::kDecimal, 10, T::kSum, [](const Row& p) { return num(p.usage.vm_days); });
  b.add("vCPU-hours", F::kDecimal, 12, T::kSum, [](const Row& p) { return num(p.usage.vcpu_hours); });
  b.add("GB-RAM-hours", F::kDecimal, 14, T::kSum, [](const Row& p) { return num(p.usage.ram_gb_hours); });
  b.add("GB-disk-days", F::kDecimal, 14, T::kSum, [](const Row& p) { return num(p.usage.disk_gb_days); });
  b.add("Powered-on hours", F::kDecimal, 12, T::kSum, [](const Row& p) { return num(p.usage.powered_on_hours); });
  if (!priced) return;
  b.add("vCPU cost", F::kMoney, 13, T::kSum, [](const Row& p) { return num(p.cost.vcpu); });
  b.add("RAM cost", F::kMoney, 13, T::kSum, [](const Row& p) { return num(p.cost.ram); });
  b.add("Disk cost", F::kMoney, 13, T::kSum, [](const Row& p) { return num(p.cost.disk); });
  b.add("Cost", F::kMoney, 13, T::kSum, [](const Row& p) { return num(p.cost.total()); });
}

/// A "By …" sheet of hourly totals.
SheetSpec hourly_group_sheet(std::string name, const std::vector<std::string>& key_headers,
                             std::vector<GroupTotal> groups, bool priced) {
  SheetBuilder<GroupTotal> b;
  for (std::size_t i = 0; i < key_headers.size(); ++i) {
    b.add(key_headers[i], F::kText, 24, i == 0 ? T::kLabel : T::kNone,
          [i](const GroupTotal& g) { return text(g.key[i]); });
  }
  b.add("VMs", F::kInteger, 9, T::kSum, [](const GroupTotal& g) { return num(static_cast<double>(g.vms)); });
  b.add("Powered on", F::kInteger, 10, T::kSum, [](const GroupTotal& g) { return num(static_cast<double>(g.powered_on)); });
  b.add("vCPUs", F::kInteger, 9, T::kSum, [](const GroupTotal& g) { return num(g.vcpus); });
  b.add("RAM GB", F::kDecimal, 11, T::kSum, [](const GroupTotal& g) { return num(g.ram_gb); });
  b.add("Disk GB", F::kDecimal, 12, T::kSum, [](const GroupTotal& g) { return num(g.disk_gb); });
  if (priced) b.add("Cost (hour)", F::kMoney, 13, T::kSum, [](const GroupTotal& g) { return num(g.cost.total()); });
  return std::move(b).build(std::move(name), std::make_shared<const std::vector<GroupTotal>>(std::move(groups)), true);
}

/// A "By tenant" / "By pool" sheet of daily or monthly totals.
SheetSpec summary_group_sheet(std::string name, const std::string& key_header, std::vector<GroupTotal> groups,
                              bool priced) {
  SheetBuilder<GroupTotal> b;
  b.add(key_header, F::kText, 28, T::kLabel, [](const GroupTotal& g) { return text(g.key.at(0)); });
  b.add("VMs", F::kInteger, 9, T::kSum, [](const GroupTotal& g) { return num(static_cast<double>(g.vms)); });
  add_usage_cost_columns(b, priced);
  return std::move(b).build(std::move(name), std::make_shared<const std::vector<GroupTotal>>(std::move(groups)), true);
}

SheetSpec node_sheet(const std::vector<NodeChargeCluster>& clusters, const ChargePolicy& policy) {
  SheetBuilder<NodeChargeCluster> b;
  b.add("vCenter", F::kText, 28, T::kLabel, [](const NodeChargeCluster& n) { return text(n.vcenter); });
  b.add("Cluster", F::kText, 24, T::kNone, [](const NodeChargeCluster& n) { return text(n.cluster); });
  b.add("Average hosts", F::kDecimal, 12, T::kSum, [](const NodeChargeCluster& n) { return num(n.avg_hosts); });
  b.add("Node-hours", F::kDecimal, 12, T::kSum, [](const NodeChargeCluster& n) { return num(n.node_hours); });
  if (policy.rates) {
    b.add("Node cost", F::kMoney, 14, T::kSum,
          [policy](const NodeChargeCluster& n) { return num(policy.node_cost(n.node_hours)); });
  }
  return std::move(b).build(kNodeChargeSheet, std::make_shared<const std::vector<NodeChargeCluster>>(clusters), true);
}

/// The one-line summary of a daily or monthly report: its period, size, completeness and totals.
struct SummaryLine {
  std::string period;
  TimePoint generated_at;
  double vms = 0;
  Completeness completeness;
  Usage usage;
  double vm_cost = 0;
  double node_hours = 0;
  double node_cost = 0;
};

SheetSpec summary_sheet(const SummaryLine& line, bool priced) {
  SheetBuilder<SummaryLine> b;
  b.add("Period", F::kText, 12, T::kNone, [](const SummaryLine& s) { return text(s.period); });
  b.add("VMs", F::kInteger, 9, T::kNone, [](const SummaryLine& s) { return num(s.vms); });
  b.add("Snapshots seen", F::kInteger, 11, T::kNone,
        [](const SummaryLine& s) { return num(static_cast<double>(s.completeness.snapshots_seen)); });
  b.add("Snapshots expected", F::kInteger, 11, T::kNone,
        [](const SummaryLine& s) { return num(static_cast<double>(s.completeness.snapshots_expected)); });
  b.add("Completeness", F::kPercent, 13, T::kNone, [](const SummaryLine& s) {
    const auto& c = s.completeness;
    return c.snapshots_expected > 0 ? num(static_cast<double>(c.snapshots_seen) / static_cast<double>(c.snapshots_expected))
                                    : Cell{};
  });
  b.add("VM-days", F::kDecimal, 10, T::kNone, [](const SummaryLine& s) { return num(s.usage.vm_days); });
  b.add("vCPU-hours", F::kDecimal, 12, T::kNone, [](const SummaryLine& s) { return num(s.usage.vcpu_hours); });
  b.add("GB-RAM-hours", F::kDecimal, 14, T::kNone, [](const SummaryLine& s) { return num(s.usage.ram_gb_hours); });
  b.add("GB-disk-days", F::kDecimal, 14, T::kNone, [](const SummaryLine& s) { return num(s.usage.disk_gb_days); });
  b.add("Powered-on hours", F::kDecimal, 12, T::kNone, [](const SummaryLine& s) { return num(s.usage.powered_on_hours); });
  b.add("Node-hours", F::kDecimal, 12, T::kNone, [](const SummaryLine& s) { return num(s.node_hours); });
  if (priced) {
    b.add("VM cost", F::kMoney, 14, T::kNone, [](const SummaryLine& s) { return num(s.vm_cost); });
    b.add("Node cost", F::kMoney, 14, T::kNone, [](const SummaryLine& s) { return num(s.node_cost); });
    b.add("Total cost", F::kMoney, 14, T::kNone, [](const SummaryLine& s) { return num(s.vm_cost + s.node_cost); });
  }
  b.add("Generated (UTC)", F::kDateTime, 17, T::kNone, [](const SummaryLine& s) { return Cell{s.generated_at}; });
  return std::move(b).build(kSummarySheet, std::make_shared<const std::vector<SummaryLine>>(1, line), false);
}

SheetSpec summary_vm_sheet(std::shared_ptr<const std::vector<PricedSummaryVm>> priced_vms, bool monthly, bool priced) {
  using P = PricedSummaryVm;
  SheetBuilder<P> b;
  b.add("vCenter", F::kText, 24, T::kLabel, [](const P& p) { return text(p.vm->vcenter); });
  b.add("Datacenter", F::kText, 16, T::kNone, [](const P& p) { return text(p.vm->datacenter); });
  b.add("Cluster", F::kText, 18, T::kNone, [](const P& p) { return text(p.vm->cluster); });
  b.add("Resource pool", F::kText, 18, T::kNone, [](const P& p) { return text(p.vm->resource_pool); });
  b.add("Folder", F::kText, 24, T::kNone, [](const P& p) { return text(p.vm->folder); });
  b.add("Tenant", F::kText, 16, T::kNone, [](const P& p) { return text(p.vm->tenant); });
  b.add("VM", F::kText, 28, T::kCount, [](const P& p) { return text(p.vm->name); });
  b.add("Instance UUID", F::kText, 38, T::kNone, [](const P& p) { return text(p.vm->instance_uuid); });
  b.add("Samples seen", F::kInteger, 9, T::kNone, [](const P& p) { return num(static_cast<double>(p.vm->samples_seen)); });
  b.add("Samples expected", F::kInteger, 9, T::kNone,
        [](const P& p) { return num(static_cast<double>(p.vm->samples_expected)); });
  b.add("Presence", F::kPercent, 9, T::kNone, [](const P& p) { return num(p.vm->presence); });
  if (monthly) {
    b.add("Days present", F::kDecimal, 9, T::kSum,
          [](const P& p) { return p.vm->days_present ? num(*p.vm->days_present) : Cell{}; });
  }
  b.add("Avg vCPU", F::kDecimal, 9, T::kNone, [](const P& p) { return num(p.vm->avg_vcpu); });
  b.add("Max vCPU", F::kDecimal, 9, T::kNone, [](const P& p) { return num(p.vm->max_vcpu); });
  b.add("Avg RAM GB", F::kDecimal, 10, T::kNone, [](const P& p) { return num(p.vm->avg_ram_gb); });
  b.add("Max RAM GB", F::kDecimal, 10, T::kNone, [](const P& p) { return num(p.vm->max_ram_gb); });
  b.add("Avg disk GB", F::kDecimal, 11, T::kNone, [](const P& p) { return num(p.vm->avg_disk_gb); });
  b.add("Powered-on share", F::kPercent, 10, T::kNone, [](const P& p) { return num(p.vm->powered_on_share); });
  b.add("Template", F::kFlag, 9, T::kNone, [](const P& p) { return Cell{p.vm->is_template}; });
  b.add("SRM placeholder", F::kFlag, 11, T::kNone, [](const P& p) { return Cell{p.vm->srm_placeholder}; });
  b.add("Node charge", F::kFlag, 9, T::kNone, [](const P& p) { return Cell{p.vm->node_charge}; });
  b.add("Created (UTC)", F::kDateTime, 17, T::kNone, [](const P& p) { return opt_time(p.vm->creation_time); });
  b.add("Deleted (UTC)", F::kDateTime, 17, T::kNone, [](const P& p) { return opt_time(p.vm->deletion_time); });
  b.add("Charged", F::kFlag, 9, T::kNone, [](const P& p) { return Cell{p.charged}; });
  add_usage_cost_columns(b, priced);
  return std::move(b).build(kVmSheet, std::move(priced_vms), true);
}

struct SummaryGroups {
  std::vector<GroupTotal> tenants;
  std::vector<GroupTotal> pools;
  Usage usage;
  double cost = 0;
};

SummaryGroups group_summary(const std::vector<PricedSummaryVm>& vms) {
  GroupTotals tenants, pools;
  SummaryGroups out;
  for (const auto& p : vms) {
    VmContribution c;
    c.usage = p.usage;
    c.cost = p.cost;
    tenants.add({p.vm->tenant}, c);
    pools.add({p.vm->resource_pool}, c);
    out.usage += p.usage;
    out.cost += p.cost.total();
  }
  out.tenants = tenants.sorted();
  out.pools = pools.sorted();
  return out;
}

double sum_node_hours(const std::vector<NodeChargeCluster>& clusters) {
  double total = 0;
  for (const auto& n : clusters) total += n.node_hours;
  return total;
}

std::string currency_of(const ChargePolicy& policy) { return policy.rates ? policy.rates->currency : ""; }

}  // namespace

WorkbookSpec build_hourly_workbook(std::shared_ptr<const HourlyReportData> source, const ChargePolicy& policy,
                                   TimePoint) {
  const bool priced = policy.rates.has_value();
  const HourlyReportData& data = *source;
  auto vms = std::make_shared<std::vector<PricedSnapshotVm>>(price_snapshot(*source, policy));

  using P = PricedSnapshotVm;
  SheetBuilder<P> b;
  b.add("vCenter", F::kText, 24, T::kLabel, [](const P& p) { return text(p.vm->vcenter); });
  b.add("Datacenter", F::kText, 16, T::kNone, [](const P& p) { return text(p.vm->datacenter); });
  b.add("Cluster", F::kText, 18, T::kNone, [](const P& p) { return text(p.vm->cluster); });
  b.add("Host", F::kText, 22, T::kNone, [](const P& p) { return text(p.vm->host); });
  b.add("Resource pool", F::kText, 18, T::kNone, [](const P& p) { return text(p.vm->resource_pool); });
  b.add("Folder", F::kText, 24, T::kNone, [](const P& p) { return text(p.vm->folder); });
  b.add("Tenant", F::kText, 16, T::kNone, [](const P& p) { return text(p.vm->tenant); });
  b.add("VM", F::kText, 28, T::kCount, [](const P& p) { return text(p.vm->name); });
  b.add("VM id", F::kText, 10, T::kNone, [](const P& p) { return text(p.vm->vm_id); });
  b.add("Instance UUID", F::kText, 38, T::kNone, [](const P& p) { return text(p.vm->instance_uuid); });
  b.add("Power state", F::kText, 11, T::kNone, [](const P& p) { return text(p.vm->power_state); });
  b.add("vCPUs", F::kInteger, 7, T::kSum, [](const P& p) { return num(static_cast<double>(p.vm->vcpu_count)); });
  b.add("RAM GB", F::kDecimal, 9, T::kSum, [](const P& p) { return num(static_cast<double>(p.vm->ram_mb) / 1024.0); });
  b.add("Disk GB", F::kDecimal, 10, T::kSum, [](const P& p) { return num(p.vm->disk_gb); });
  b.add("Template", F::kFlag, 9, T::kNone, [](const P& p) { return Cell{p.vm->is_template}; });
  b.add("SRM placeholder", F::kFlag, 11, T::kNone, [](const P& p) { return Cell{p.vm->srm_placeholder}; });
  b.add("Node charge", F::kFlag, 9, T::kNone, [](const P& p) { return Cell{p.node_charge}; });
  b.add("Guest OS", F::kText, 22, T::kNone, [](const P& p) { return text(p.vm->guest_os); });
  b.add("Created (UTC)", F::kDateTime, 17, T::kNone, [](const P& p) { return opt_time(p.vm->creation_time); });
  b.add("Charged", F::kFlag, 9, T::kNone, [](const P& p) { return Cell{p.charged}; });
  if (priced) add_cost_columns(b);

  GroupTotals by_vcenter, by_cluster, by_tenant, by_pool;
  for (const auto& p : *vms) {
    VmContribution c;
    c.powered_on = p.vm->power_state == "poweredOn";
    c.vcpus = static_cast<double>(p.vm->vcpu_count);
    c.ram_gb = static_cast<double>(p.vm->ram_mb) / 1024.0;
    c.disk_gb = p.vm->disk_gb;
    c.usage = p.usage;
    c.cost = p.cost;
    by_vcenter.add({p.vm->vcenter}, c);
    by_cluster.add({p.vm->vcenter, p.vm->cluster}, c);
    by_tenant.add({p.vm->tenant}, c);
    by_pool.add({p.vm->resource_pool}, c);
  }

  WorkbookSpec spec;
  spec.currency = currency_of(policy);
  spec.title = "vctp hourly report " + data.period.label();
  spec.subject = "VM inventory snapshot and chargeback";
  // `source` stays alive through the VM rows' pointers: keep it with the rows.
  auto rows = std::shared_ptr<const std::vector<P>>(vms.get(), [vms, source](const std::vector<P>*) {});
  spec.sheets.push_back(std::move(b).build(kVmSheet, rows, true));
  spec.sheets.push_back(hourly_group_sheet(kByVcenterSheet, {"vCenter"}, by_vcenter.sorted(), priced));
  spec.sheets.push_back(hourly_group_sheet(kByClusterSheet, {"vCenter", "Cluster"}, by_cluster.sorted(), priced));
  spec.sheets.push_back(hourly_group_sheet(kByTenantSheet, {"Tenant"}, by_tenant.sorted(), priced));
  spec.sheets.push_back(hourly_group_sheet(kByPoolSheet, {"Resource pool"}, by_pool.sorted(), priced));
  return spec;
}

namespace {

/// `source` owns `input` (the daily or monthly data).
WorkbookSpec build_summary_workbook(std::shared_ptr<const void> source, const ReportPeriod& period,
                                    const std::vector<SummaryVm>& input, const std::vector<NodeChargeCluster>& nodes,
                                    const Completeness& completeness, const ChargePolicy& policy,
                                    TimePoint generated_at, bool monthly) {
  const bool priced = policy.rates.has_value();
  auto vms = std::make_shared<std::vector<PricedSummaryVm>>(price_summary(input, period, policy));
  auto rows = std::shared_ptr<const std::vector<PricedSummaryVm>>(
      vms.get(), [vms, source](const std::vector<PricedSummaryVm>*) {});

  SummaryGroups groups = group_summary(*vms);
  SummaryLine line;
  line.period = period.label();
  line.generated_at = generated_at;
  line.vms = static_cast<double>(vms->size());
  line.completeness = completeness;
  line.usage = groups.usage;
  line.vm_cost = groups.cost;
  line.node_hours = sum_node_hours(nodes);
  line.node_cost = policy.node_cost(line.node_hours);

  WorkbookSpec spec;
  spec.currency = currency_of(policy);
  spec.title = std::string("vctp ") + (monthly ? "monthly" : "daily") + " report " + period.label();
  spec.subject = "VM usage summary and chargeback";
  spec.sheets.push_back(summary_sheet(line, priced));
  spec.sheets.push_back(summary_vm_sheet(rows, monthly, priced));
  spec.sheets.push_back(summary_group_sheet(kByTenantSheet, "Tenant", std::move(groups.tenants), priced));
  spec.sheets.push_back(summary_group_sheet(kByPoolSheet, "Resource pool", std::move(groups.pools), priced));
  spec.sheets.push_back(node_sheet(nodes, policy));
  return spec;
}

}  // namespace

WorkbookSpec build_daily_workbook(std::shared_ptr<const DailyReportData> source, const ChargePolicy& policy,
                                  TimePoint generated_at) {
  const DailyReportData& data = *source;
  return build_summary_workbook(source, data.period, data.vms, data.node_clusters, data.completeness, policy,
                                generated_at, false);
}

WorkbookSpec build_monthly_workbook(std::shared_ptr<const MonthlyReportData> source, const ChargePolicy& policy,
                                    TimePoint generated_at) {
  const MonthlyReportData& data = *source;
  WorkbookSpec spec = build_summary_workbook(source, data.period, data.vms, data.node_clusters, data.completeness,
                                             policy, generated_at, true);
  // Share per tenant: of the cost when there is a rate card, of vCPU-hours otherwise.
  for (auto& sheet : spec.sheets) {
    if (sheet.name != kByTenantSheet) continue;
    ChartSpec pie;
    pie.type = ChartSpec::Type::kPie;
    const std::string measure = policy.rates ? "Cost" : "vCPU-hours";
    pie.title = "Share per tenant (" + measure + ")";
    pie.category_column = 0;
    for (std::size_t c = 0; c < sheet.columns.size(); ++c) {
      if (sheet.columns[c].header == measure) pie.value_columns.push_back(c);
    }
    sheet.charts.push_back(pie);
  }

  SheetBuilder<DailyTrendPoint> b;
  b.add("Day", F::kDate, 12, T::kNone, [](const DailyTrendPoint& d) { return Cell{d.day}; });
  b.add("VMs", F::kDecimal, 10, T::kNone, [](const DailyTrendPoint& d) { return num(d.vms); });
  b.add("vCPUs", F::kDecimal, 10, T::kNone, [](const DailyTrendPoint& d) { return num(d.vcpus); });
  b.add("RAM GB", F::kDecimal, 12, T::kNone, [](const DailyTrendPoint& d) { return num(d.ram_gb); });
  auto trend_rows = std::shared_ptr<const std::vector<DailyTrendPoint>>(source, &source->trend);
  SheetSpec trend = std::move(b).build(kTrendSheet, trend_rows, false);
  ChartSpec line;
  line.type = ChartSpec::Type::kLine;
  line.title = "Daily trend " + data.period.label();
  line.category_column = 0;
  line.value_columns = {1, 2, 3};
  line.y_axis_title = "VMs, vCPUs, GB RAM";
  trend.charts.push_back(line);
  spec.sheets.push_back(std::move(trend));
  return spec;
}

}  // namespace vctp::reporter

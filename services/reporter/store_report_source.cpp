#include "store_report_source.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "vctp/store/database.hpp"
#include "vctp/store/inventory.hpp"
#include "vctp/store/snapshot_registry.hpp"
#include "vctp/store/table_name.hpp"
#include "vctp/store/vm_columns.hpp"

namespace vctp::reporter {
namespace {

using store::Row;
using store::SnapshotKind;
using store::TableName;

std::string text_or_empty(const Row& row, const char* col) { return row.get_opt_text(col).value_or(""); }
double number(const Row& row, const char* col) { return row.get_opt_double(col).value_or(0.0); }

std::vector<TableName> tables(store::Database& db, SnapshotKind kind, const ReportPeriod& period) {
  store::SnapshotRegistry registry(db);
  return registry.tables_for_period(kind, period.start(), period.end());
}

/// The table of `kind` for exactly `period`, if registered (or found) with ok status.
std::optional<TableName> table_for(store::Database& db, SnapshotKind kind, const ReportPeriod& period) {
  const TableName wanted = TableName::for_period(kind, period.start());
  for (const auto& t : tables(db, kind, period)) {
    if (t == wanted && db.table_exists(t.str())) return t;
  }
  return std::nullopt;
}

/// The aggregator's node-hours companion of a summary table: summary_daily_nodes_YYYYMMDD,
/// summary_monthly_nodes_YYYYMM (the digits come from a validated TableName).
std::string nodes_table(const TableName& summary) {
  const std::string& name = summary.str();
  const auto cut = name.rfind('_');
  return name.substr(0, cut + 1) + "nodes" + name.substr(cut);
}

}  // namespace

const std::vector<store::Column<SummaryVm>>& summary_vm_columns() {
  using V = SummaryVm;
  static const std::vector<store::Column<V>> columns{
      {"vcenter", &V::vcenter},
      {"vcenter_uuid", &V::vcenter_uuid},
      {"instance_uuid", &V::instance_uuid},
      {"name", &V::name},
      {"datacenter", &V::datacenter},
      {"cluster", &V::cluster},
      {"tenant", &V::tenant},
      {"folder", &V::folder},
      {"resource_pool", &V::resource_pool},
      {"samples_seen", &V::samples_seen},
      {"samples_expected", &V::samples_expected},
      {"presence", &V::presence},
      {"avg_vcpu", &V::avg_vcpu},
      {"max_vcpu", &V::max_vcpu},
      {"avg_ram_gb", &V::avg_ram_gb},
      {"max_ram_gb", &V::max_ram_gb},
      {"avg_disk_gb", &V::avg_disk_gb},
      {"powered_on_share", &V::powered_on_share},
      {"is_template", &V::is_template},
      {"srm_placeholder", &V::srm_placeholder},
      {"node_charge", &V::node_charge},
      {"creation_time", &V::creation_time},
      {"deletion_time", &V::deletion_time},
  };
  return columns;
}

StoreReportSource::StoreReportSource(store::Database& db, std::vector<std::string> node_charge_clusters,
                                     std::size_t expected_vcenters)
    : db_(db), node_charge_clusters_(std::move(node_charge_clusters)), expected_vcenters_(expected_vcenters) {}

HourlyReportData StoreReportSource::hourly(const ReportPeriod& period) {
  const auto table = table_for(db_, SnapshotKind::kHourly, period);
  if (!table) {
    throw NoReportData("no hourly snapshot of " + period.label() + " (" +
                       TableName::hourly(period.start()).str() + " is not registered or not there)");
  }
  HourlyReportData data{period, {}};
  const auto& columns = store::vm_columns();
  const auto rows = db_.query("SELECT " + store::column_list(columns) + " FROM " + table->str() +
                              " ORDER BY vcenter, name, instance_uuid");
  data.vms.reserve(rows.size());
  for (const auto& row : rows) {
    SnapshotVm vm;
    store::read_columns(columns, row, vm);
    data.vms.push_back(std::move(vm));
  }
  return data;
}

std::vector<SummaryVm> StoreReportSource::summary_rows(const ReportPeriod& period) {
  const SnapshotKind kind = period.kind() == ReportKind::kDaily ? SnapshotKind::kDaily : SnapshotKind::kMonthly;
  const auto table = table_for(db_, kind, period);
  if (!table) {
    throw NoReportData("no " + std::string(to_string(period.kind())) + " summary of " + period.label() + " (" +
                       TableName::for_period(kind, period.start()).str() +
                       " is not registered or not there: has the aggregator run?)");
  }
  const bool monthly = kind == SnapshotKind::kMonthly;
  const auto& columns = summary_vm_columns();
  const auto rows = db_.query("SELECT " + store::column_list(columns) + (monthly ? ", days_present" : "") + " FROM " +
                              table->str() + " ORDER BY vcenter, name, instance_uuid");
  std::vector<SummaryVm> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    SummaryVm vm;
    store::read_columns(columns, row, vm);
    if (monthly) vm.days_present = row.get_opt_double("days_present");
    out.push_back(std::move(vm));
  }
  return out;
}

Completeness StoreReportSource::completeness(const ReportPeriod& period) {
  store::SnapshotRegistry registry(db_);
  const auto records = registry.find(SnapshotKind::kHourly, period.start(), period.end());
  std::set<std::pair<std::string, std::string>> ok;
  std::set<std::string> vcenters;
  for (const auto& r : records) {
    const std::string vcenter = r.vcenter.value_or("");
    vcenters.insert(vcenter);
    if (r.status == store::SnapshotStatus::kOk) ok.insert({r.table_name, vcenter});
  }
  const std::size_t n_vcenters = std::max(vcenters.size(), std::max<std::size_t>(expected_vcenters_, 1));
  Completeness c;
  c.snapshots_seen = static_cast<std::int64_t>(ok.size());
  c.snapshots_expected = static_cast<std::int64_t>(n_vcenters) * static_cast<std::int64_t>(period.hours() + 0.5);
  return c;
}

std::vector<DailyTrendPoint> StoreReportSource::trend(const ReportPeriod& month) {
  std::vector<DailyTrendPoint> out;
  for (const auto& table : tables(db_, SnapshotKind::kDaily, month)) {
    if (!db_.table_exists(table.str())) continue;
    const auto rows = db_.query("SELECT SUM(presence) AS vms, SUM(avg_vcpu * presence) AS vcpus, "
                                "SUM(avg_ram_gb * presence) AS ram_gb FROM " + table.str());
    DailyTrendPoint p;
    p.day = table.period_start();
    if (!rows.empty()) {
      p.vms = number(rows[0], "vms");
      p.vcpus = number(rows[0], "vcpus");
      p.ram_gb = number(rows[0], "ram_gb");
    }
    out.push_back(p);
  }
  return out;
}

std::vector<NodeChargeCluster> StoreReportSource::node_clusters(const ReportPeriod& period,
                                                                const std::vector<SummaryVm>& vms) {
  const SnapshotKind kind = period.kind() == ReportKind::kDaily ? SnapshotKind::kDaily : SnapshotKind::kMonthly;
  const std::string table = nodes_table(TableName::for_period(kind, period.start()));
  if (!db_.table_exists(table)) {
    const bool node_charged = !node_charge_clusters_.empty() ||
                              std::any_of(vms.begin(), vms.end(), [](const SummaryVm& vm) { return vm.node_charge; });
    if (!node_charged) return {};
    throw NoReportData("the " + std::string(to_string(period.kind())) + " summary of " + period.label() +
                       " has no node-hours table " + table +
                       " (the aggregator writes it with the summary): aggregate the period again "
                       "(vctp.aggregate.requested) and the report follows");
  }
  const auto rows = db_.query("SELECT vcenter, vcenter_uuid, cluster, node_hours FROM " + table +
                              " ORDER BY vcenter, vcenter_uuid, cluster");
  std::vector<NodeChargeCluster> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    NodeChargeCluster n;
    n.vcenter = text_or_empty(row, "vcenter");
    n.vcenter_uuid = text_or_empty(row, "vcenter_uuid");
    n.cluster = text_or_empty(row, "cluster");
    n.node_hours = number(row, "node_hours");
    n.avg_hosts = n.node_hours / period.hours();
    out.push_back(std::move(n));
  }
  return out;
}

DailyReportData StoreReportSource::daily(const ReportPeriod& period) {
  DailyReportData data{period, summary_rows(period), {}, {}};
  data.node_clusters = node_clusters(period, data.vms);
  data.completeness = completeness(period);
  return data;
}

MonthlyReportData StoreReportSource::monthly(const ReportPeriod& period) {
  MonthlyReportData data{period, summary_rows(period), {}, {}, {}};
  data.node_clusters = node_clusters(period, data.vms);
  data.completeness = completeness(period);
  data.trend = trend(period);
  return data;
}

void StoreReportCatalog::record(const GeneratedReport& report) {
  if (report.companion_bytes.size() != report.companion_files.size()) {
    throw std::logic_error("report " + report.file_name + ": companion files and sizes do not pair up");
  }
  store::ReportRecord record;
  record.kind = std::string(to_string(report.period.kind()));
  record.period = report.period.short_label();
  record.created_at = report.created_at;
  db_.transact([&](store::Transaction& tx) {
    record.file_name = report.file_name;
    record.bytes = report.bytes;
    store::record_report(tx, record);
    // Companions (the FOCUS CSV) under their own names: the gateway serves only listed files.
    for (std::size_t i = 0; i < report.companion_files.size(); ++i) {
      record.file_name = report.companion_files[i];
      record.bytes = report.companion_bytes[i];
      store::record_report(tx, record);
    }
  });
}

}  // namespace vctp::reporter

#include "monthly_summary.hpp"

#include <algorithm>

#include "vctp/core/logging.hpp"
#include "vctp/store/summary_columns.hpp"

namespace vctp::aggregator {

namespace {

constexpr std::string_view kMonthVm = "vctp_agg_month_vm";
constexpr std::string_view kMonthLast = "vctp_agg_month_last";

/// The daily columns the monthly summary adds up per VM (present in every daily summary).
constexpr std::string_view kMeasureColumns =
    "period, vcenter_uuid, instance_uuid, samples_seen, samples_expected, presence, "
    "hours_present, avg_vcpu, max_vcpu, avg_ram_gb, max_ram_gb, avg_disk_gb, max_disk_gb, "
    "powered_on_share, creation_time, deletion_time";
/// The daily columns taken from the VM's last day.
constexpr std::string_view kLastColumns =
    "vcenter, vcenter_uuid, instance_uuid, vm_id, name, datacenter, cluster, tenant, folder, "
    "resource_pool, is_template, srm_placeholder, node_charge, charged";

/// What every step of one month's summary works from.
struct Month {
  store::Transaction& tx;
  SqlText sql;
  const Period& period;
  std::vector<store::TableName> daily;
  std::string days_in_month;  ///< as an SQL real
  std::string table;
};

void run_all(store::Transaction& tx, const std::vector<std::string>& statements) {
  for (const auto& s : statements) tx.execute(s);
}

/// `SELECT <columns> FROM <table>` over the daily summaries of the month (those of `days` when
/// it is not empty), with UNION ALL.
std::string union_of_days(const Month& month, const std::string& columns, const std::vector<std::string>& days = {}) {
  std::string out;
  for (const auto& t : month.daily) {
    const auto day = Period::day(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t.period_start())});
    if (!days.empty() && std::find(days.begin(), days.end(), day.text()) == days.end()) continue;
    if (!out.empty()) out += " UNION ALL ";
    out += "SELECT " + columns + " FROM " + month.sql.ident(t.str());
  }
  return out;
}

/// 1. One pass over the days: per VM, the sums and extremes, and its last day.
void month_vm_sums(Month& month) {
  const SqlText& sql = month.sql;
  run_all(month.tx,
          sql.create_temp(kMonthVm,
                          "SELECT vcenter_uuid, instance_uuid, MAX(period) AS last_period, SUM(CASE WHEN "
                          "presence > 0 THEN 1 ELSE 0 END) AS days_present, SUM(samples_seen) AS seen, "
                          "SUM(samples_expected) AS expected, " +
                              sql.dbl("SUM(presence)") +
                              " AS sp, "
                              "SUM(hours_present) AS hours, SUM(presence * avg_vcpu) AS s_vcpu, AVG(avg_vcpu) AS "
                              "m_vcpu, MAX(max_vcpu) AS max_vcpu, SUM(presence * avg_ram_gb) AS s_ram, "
                              "AVG(avg_ram_gb) AS m_ram, MAX(max_ram_gb) AS max_ram, SUM(presence * avg_disk_gb) AS "
                              "s_disk, AVG(avg_disk_gb) AS m_disk, MAX(max_disk_gb) AS max_disk, SUM(presence * "
                              "powered_on_share) AS s_on, AVG(powered_on_share) AS m_on, MIN(creation_time) AS "
                              "created, MAX(deletion_time) AS deleted FROM (" +
                              union_of_days(month, std::string(kMeasureColumns)) +
                              ") u GROUP BY vcenter_uuid, instance_uuid"));
  run_all(month.tx, sql.create_index(kMonthVm, "vcenter_uuid, instance_uuid"));
}

/// 2. Each VM's row of its last day (read from the days that are some VM's last), numbered so that one is taken deterministically should
///    two daily rows of the VM share that day.
void last_day_rows(Month& month) {
  const auto& d = month.sql.dialect();
  std::string cols;
  for (std::string_view rest = kLastColumns; !rest.empty();) {
    const auto comma = rest.find(", ");
    cols += (cols.empty() ? "d." : ", d.") + std::string(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 2);
  }
  // Only the days that are some VM's last are read again (most often only the month's last).
  std::vector<std::string> last_days;
  for (const auto& row : month.tx.query("SELECT DISTINCT last_period FROM " + std::string(kMonthVm))) {
    last_days.push_back(row.get_text(0));
  }
  const std::string last_rows = "SELECT " + cols + " FROM (" +
                                union_of_days(month, "period, " + std::string(kLastColumns), last_days) + ") d JOIN " +
                                std::string(kMonthVm) +
                                " a ON a.vcenter_uuid = d.vcenter_uuid AND "
                                "a.instance_uuid = d.instance_uuid AND a.last_period = d.period";
  std::string tie_break;
  for (const char* c : {"vcenter", "vm_id", "name", "datacenter", "cluster", "tenant", "folder", "resource_pool"}) {
    tie_break += ", " + d.binary_key("COALESCE(" + std::string(c) + ", '')");
  }
  run_all(month.tx, month.sql.create_temp(
                        kMonthLast, "SELECT u.*, ROW_NUMBER() OVER (PARTITION BY " + d.binary_key("vcenter_uuid") +
                                        ", " + d.binary_key("instance_uuid") + " ORDER BY " + tie_break.substr(2) +
                                        ", " + d.bool_to_int("is_template") + ", " + d.bool_to_int("srm_placeholder") +
                                        ", " + d.bool_to_int("node_charge") + ", " + d.bool_to_int("charged") +
                                        ") AS rn FROM (" + last_rows + ") u"));
  run_all(month.tx, month.sql.create_index(kMonthLast, "vcenter_uuid, instance_uuid"));
}

/// 3. The summary table, one row per VM, from the month's sums (a) and last day (last).
std::int64_t insert_summary(Month& month) {
  const SqlText& sql = month.sql;
  const auto columns = store::summary_columns(store::SnapshotKind::kMonthly);
  month.tx.execute(create_table_sql(sql, month.table, columns));
  const auto weighted = [&](const std::string& col) {
    return "CASE WHEN a.sp > 0 THEN " + sql.dbl("a.s_" + col) + " / a.sp ELSE a.m_" + col + " END";
  };
  ColumnValues v{{"period", "$1"}, {"vcenter_uuid", "a.vcenter_uuid"}, {"instance_uuid", "a.instance_uuid"}};
  for (const char* c : {"vcenter", "vm_id", "name", "datacenter", "cluster", "tenant", "folder", "resource_pool",
                        "is_template", "srm_placeholder", "node_charge", "charged"}) {
    v[c] = "last." + std::string(c);
  }
  v["days_present"] = "a.days_present";
  v["samples_seen"] = "a.seen";
  v["samples_expected"] = "a.expected";
  v["completeness"] =
      "CASE WHEN a.expected > 0 THEN " + sql.dbl("a.seen") + " / " + sql.dbl("a.expected") + " ELSE 0 END";
  v["presence"] = "a.sp / " + month.days_in_month;
  v["hours_present"] = "a.hours";
  v["avg_vcpu"] = weighted("vcpu");
  v["max_vcpu"] = "a.max_vcpu";
  v["avg_ram_gb"] = weighted("ram");
  v["max_ram_gb"] = "a.max_ram";
  v["avg_disk_gb"] = weighted("disk");
  v["max_disk_gb"] = "a.max_disk";
  v["powered_on_share"] = weighted("on");
  v["creation_time"] = "a.created";
  v["deletion_time"] = "a.deleted";
  const std::string from = std::string(kMonthVm) + " a JOIN " + std::string(kMonthLast) +
                           " last ON last.vcenter_uuid = a.vcenter_uuid AND last.instance_uuid = "
                           "a.instance_uuid AND last.rn = 1";
  return month.tx.execute(insert_select_sql(sql, month.table, columns, v, from), {month.period.text()});
}

/// The companion tables of the month's days that exist, as one UNION ALL of `columns`.
std::string day_companions(const Month& month, std::string_view companion, const std::string& columns) {
  std::string out;
  for (const auto& t : month.daily) {
    const auto day = Period::day(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t.period_start())});
    const auto name = day.companion_table(companion);
    if (!month.tx.table_exists(name)) continue;
    if (!out.empty()) out += " UNION ALL ";
    out += "SELECT " + columns + " FROM " + month.sql.ident(name);
  }
  return out;
}

/// 4. Pool shares of the month, from the daily pool companions.
void pool_shares(Month& month) {
  const SqlText& sql = month.sql;
  const std::string pools = month.period.companion_table("pools");
  const auto columns = store::summary_pool_columns(store::SnapshotKind::kMonthly);
  month.tx.execute(create_table_sql(sql, pools, columns));
  const auto days = day_companions(month, "pools", "period, vcenter_uuid, instance_uuid, resource_pool, share, hours");
  if (days.empty()) return;
  const ColumnValues values{{"period", "$1"},
                            {"vcenter_uuid", "vcenter_uuid"},
                            {"instance_uuid", "instance_uuid"},
                            {"resource_pool", "resource_pool"},
                            {"days", "COUNT(*)"},
                            {"share", sql.dbl("SUM(share)") + " / " + month.days_in_month},
                            {"hours", sql.dbl("SUM(hours)")}};
  month.tx.execute(insert_select_sql(sql, pools, columns, values,
                                     "(" + days + ") u GROUP BY vcenter_uuid, instance_uuid, resource_pool"),
                   {month.period.text()});
}

/// 5. Node-hours of the month, from the daily node companions.
void node_hours(Month& month) {
  const SqlText& sql = month.sql;
  const std::string nodes = month.period.companion_table("nodes");
  const auto columns = store::summary_node_columns(store::SnapshotKind::kMonthly);
  month.tx.execute(create_table_sql(sql, nodes, columns));
  const auto days = day_companions(
      month, "nodes",
      "period, vcenter, vcenter_uuid, datacenter, cluster, hosts, host_samples, samples_expected, node_hours");
  if (days.empty()) return;
  const ColumnValues values{{"period", "$1"},
                            {"vcenter", "vcenter"},
                            {"vcenter_uuid", "vcenter_uuid"},
                            {"datacenter", "MAX(datacenter)"},
                            {"cluster", "cluster"},
                            {"days", "COUNT(*)"},
                            {"hosts", "MAX(hosts)"},
                            {"host_samples", "SUM(host_samples)"},
                            {"samples_expected", "SUM(samples_expected)"},
                            {"node_hours", sql.dbl("SUM(node_hours)")}};
  month.tx.execute(
      insert_select_sql(sql, nodes, columns, values, "(" + days + ") u GROUP BY vcenter, vcenter_uuid, cluster"),
      {month.period.text()});
}

}  // namespace

SummaryResult MonthlySummary::build(store::Transaction& tx, const Period& period) const {
  tx.lock("vctp.aggregate.monthly." + period.text());
  const SqlText sql(tx.dialect());
  Month month{tx,
              sql,
              period,
              registry_.tables_for_period(tx, store::SnapshotKind::kDaily, period.start(), period.end()),
              sql.dbl(std::to_string(period.day_count())),
              period.table().str()};
  if (month.daily.empty()) {
    throw InvalidRequest("no daily summary for any day of " + period.text() +
                         ": nothing to summarise (build the daily summaries first)");
  }
  run_all(tx, sql.bulk_work());
  month_vm_sums(month);
  last_day_rows(month);
  // The summary and its companions are replaced inside this transaction.
  for (const auto& t : {month.table, period.companion_table("pools"), period.companion_table("nodes")}) {
    tx.execute("DROP TABLE IF EXISTS " + sql.ident(t));
  }
  const std::int64_t rows = insert_summary(month);
  pool_shares(month);
  node_hours(month);

  for (const auto& t : {kMonthLast, kMonthVm}) run_all(tx, sql.drop_temp(t));
  registry_.record(tx, store::Registration{period.table(), std::nullopt, rows, store::SnapshotStatus::kOk, std::nullopt,
                                           std::chrono::milliseconds(0)});
  core::log_info(
      "monthly summary built",
      {{"table", month.table}, {"rows", std::to_string(rows)}, {"daily_tables", std::to_string(month.daily.size())}});
  return SummaryResult{month.table, rows, static_cast<std::int64_t>(month.daily.size())};
}

}  // namespace vctp::aggregator

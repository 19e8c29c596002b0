#include "monthly_summary.hpp"

#include "vctp/core/logging.hpp"

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

}  // namespace

std::vector<SummaryColumn> monthly_summary_columns(const store::Dialect& d) {
  const std::string text(d.text_type()), integer(d.integer_type()), real(d.real_type()),
      boolean(d.boolean_type()), ts(d.timestamp_type());
  return {
      {"period", text + " NOT NULL"},   {"vcenter", text},
      {"vcenter_uuid", text + " NOT NULL"}, {"instance_uuid", text + " NOT NULL"},
      {"vm_id", text},                  {"name", text},
      {"datacenter", text},             {"cluster", text},
      {"tenant", text},                 {"folder", text},
      {"resource_pool", text},          {"days_present", integer + " NOT NULL"},
      {"samples_seen", integer + " NOT NULL"}, {"samples_expected", integer + " NOT NULL"},
      {"completeness", real + " NOT NULL"}, {"presence", real + " NOT NULL"},
      {"hours_present", real + " NOT NULL"}, {"avg_vcpu", real},
      {"max_vcpu", integer},            {"avg_ram_gb", real},
      {"max_ram_gb", real},             {"avg_disk_gb", real},
      {"max_disk_gb", real},            {"powered_on_share", real},
      {"is_template", boolean + " NOT NULL"}, {"srm_placeholder", boolean + " NOT NULL"},
      {"node_charge", boolean + " NOT NULL"}, {"charged", boolean + " NOT NULL"},
      {"creation_time", ts},            {"deletion_time", ts},
  };
}

SummaryResult MonthlySummary::build(store::Transaction& tx, const Period& month) const {
  const SqlText sql(tx.dialect());
  const auto& d = tx.dialect();
  tx.lock("vctp.aggregate.monthly." + month.text());

  const auto daily =
      registry_.tables_for_period(tx, store::SnapshotKind::kDaily, month.start(), month.end());
  if (daily.empty()) {
    throw InvalidRequest("no daily summary for any day of " + month.text() +
                         ": nothing to summarise (build the daily summaries first)");
  }
  const std::string days_in_month = sql.dbl(std::to_string(month.day_count()));

  for (const auto& s : sql.bulk_work()) tx.execute(s);

  // 1. One pass over the days: per VM, the sums and extremes, and its last day.
  std::string all;
  for (std::size_t i = 0; i < daily.size(); ++i) {
    if (i) all += " UNION ALL ";
    all += "SELECT " + std::string(kMeasureColumns) + " FROM " + sql.ident(daily[i].str());
  }
  for (const auto& s : sql.create_temp(kMonthVm,
           "SELECT vcenter_uuid, instance_uuid, MAX(period) AS last_period, SUM(CASE WHEN "
           "presence > 0 THEN 1 ELSE 0 END) AS days_present, SUM(samples_seen) AS seen, "
           "SUM(samples_expected) AS expected, " + sql.dbl("SUM(presence)") + " AS sp, "
           "SUM(hours_present) AS hours, SUM(presence * avg_vcpu) AS s_vcpu, AVG(avg_vcpu) AS "
           "m_vcpu, MAX(max_vcpu) AS max_vcpu, SUM(presence * avg_ram_gb) AS s_ram, "
           "AVG(avg_ram_gb) AS m_ram, MAX(max_ram_gb) AS max_ram, SUM(presence * avg_disk_gb) AS "
           "s_disk, AVG(avg_disk_gb) AS m_disk, MAX(max_disk_gb) AS max_disk, SUM(presence * "
           "powered_on_share) AS s_on, AVG(powered_on_share) AS m_on, MIN(creation_time) AS "
           "created, MAX(deletion_time) AS deleted FROM (" + all +
           ") u GROUP BY vcenter_uuid, instance_uuid")) {
    tx.execute(s);
  }
  for (const auto& s : sql.create_index(kMonthVm, "vcenter_uuid, instance_uuid")) tx.execute(s);

  // 2. Each VM's row of its last day, numbered so that one is taken deterministically should
  //    two daily rows of the VM share that day.
  std::string days;
  for (std::size_t i = 0; i < daily.size(); ++i) {
    if (i) days += " UNION ALL ";
    days += "SELECT period, " + std::string(kLastColumns) + " FROM " + sql.ident(daily[i].str());
  }
  std::string cols;
  for (std::string_view rest = kLastColumns; !rest.empty();) {
    const auto comma = rest.find(", ");
    cols += (cols.empty() ? "d." : ", d.") + std::string(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 2);
  }
  const std::string last_rows = "SELECT " + cols + " FROM (" + days + ") d JOIN " +
                                std::string(kMonthVm) + " a ON a.vcenter_uuid = d.vcenter_uuid AND "
                                "a.instance_uuid = d.instance_uuid AND a.last_period = d.period";
  std::string tie_break;
  for (const char* c : {"vcenter", "vm_id", "name", "datacenter", "cluster", "tenant", "folder",
                        "resource_pool"}) {
    tie_break += ", " + d.binary_key("COALESCE(" + std::string(c) + ", '')");
  }
  for (const auto& s : sql.create_temp(
           kMonthLast, "SELECT u.*, ROW_NUMBER() OVER (PARTITION BY " + d.binary_key("vcenter_uuid") +
                           ", " + d.binary_key("instance_uuid") + " ORDER BY " + tie_break.substr(2) +
                           ", " + d.bool_to_int("is_template") + ", " +
                           d.bool_to_int("srm_placeholder") + ", " + d.bool_to_int("node_charge") +
                           ", " + d.bool_to_int("charged") + ") AS rn FROM (" + last_rows + ") u")) {
    tx.execute(s);
  }
  for (const auto& s : sql.create_index(kMonthLast, "vcenter_uuid, instance_uuid")) tx.execute(s);

  const std::string table = month.table().str();
  const std::string pools = month.companion_table("pools");
  const std::string nodes = month.companion_table("nodes");
  for (const auto& t : {table, pools, nodes}) tx.execute("DROP TABLE IF EXISTS " + sql.ident(t));
  const auto columns = monthly_summary_columns(d);
  tx.execute(create_table_sql(sql, table, columns));

  const auto weighted = [&](const std::string& col) {
    return "CASE WHEN a.sp > 0 THEN " + sql.dbl("a.s_" + col) + " / a.sp ELSE a.m_" + col + " END";
  };
  const std::string insert =
      "INSERT INTO " + sql.ident(table) + " (" + column_list(columns) +
      ") SELECT $1, last.vcenter, a.vcenter_uuid, a.instance_uuid, last.vm_id, last.name, "
      "last.datacenter, last.cluster, last.tenant, last.folder, last.resource_pool, "
      "a.days_present, a.seen, a.expected, CASE WHEN a.expected > 0 THEN " + sql.dbl("a.seen") +
      " / " + sql.dbl("a.expected") + " ELSE 0 END, a.sp / " + days_in_month +
      ", a.hours, " + weighted("vcpu") + ", a.max_vcpu, " + weighted("ram") +
      ", a.max_ram, " + weighted("disk") + ", a.max_disk, " + weighted("on") +
      ", last.is_template, last.srm_placeholder, last.node_charge, last.charged, a.created, "
      "a.deleted FROM " + std::string(kMonthVm) + " a JOIN " + std::string(kMonthLast) +
      " last ON last.vcenter_uuid = a.vcenter_uuid AND last.instance_uuid = a.instance_uuid AND "
      "last.rn = 1";
  const std::int64_t rows = tx.execute(insert, {month.text()});

  // Companions, from the daily companions that exist.
  const std::string text(d.text_type()), integer(d.integer_type()), real(d.real_type());
  tx.execute(create_table_sql(sql, pools,
                              {{"period", text + " NOT NULL"},
                               {"vcenter_uuid", text + " NOT NULL"},
                               {"instance_uuid", text + " NOT NULL"},
                               {"resource_pool", text + " NOT NULL"},
                               {"days", integer + " NOT NULL"},
                               {"share", real + " NOT NULL"},
                               {"hours", real + " NOT NULL"}}));
  tx.execute(create_table_sql(sql, nodes,
                              {{"period", text + " NOT NULL"},
                               {"vcenter", text},
                               {"vcenter_uuid", text + " NOT NULL"},
                               {"datacenter", text},
                               {"cluster", text + " NOT NULL"},
                               {"days", integer + " NOT NULL"},
                               {"hosts", integer + " NOT NULL"},
                               {"host_samples", integer + " NOT NULL"},
                               {"samples_expected", integer + " NOT NULL"},
                               {"node_hours", real + " NOT NULL"}}));
  std::string day_pools, day_nodes;
  for (const auto& t : daily) {
    const auto day = Period::day(std::chrono::year_month_day{
        std::chrono::floor<std::chrono::days>(t.period_start())});
    const auto p = day.companion_table("pools");
    const auto n = day.companion_table("nodes");
    if (tx.table_exists(p)) {
      if (!day_pools.empty()) day_pools += " UNION ALL ";
      day_pools += "SELECT period, vcenter_uuid, instance_uuid, resource_pool, share, hours FROM " +
                   sql.ident(p);
    }
    if (tx.table_exists(n)) {
      if (!day_nodes.empty()) day_nodes += " UNION ALL ";
      day_nodes += "SELECT period, vcenter, vcenter_uuid, datacenter, cluster, hosts, "
                   "host_samples, samples_expected, node_hours FROM " + sql.ident(n);
    }
  }
  if (!day_pools.empty()) {
    tx.execute("INSERT INTO " + sql.ident(pools) +
                   " (period, vcenter_uuid, instance_uuid, resource_pool, days, share, hours) "
                   "SELECT $1, vcenter_uuid, instance_uuid, resource_pool, COUNT(*), " +
                   sql.dbl("SUM(share)") + " / " + days_in_month + ", " + sql.dbl("SUM(hours)") +
                   " FROM (" + day_pools + ") u GROUP BY vcenter_uuid, instance_uuid, resource_pool",
               {month.text()});
  }
  if (!day_nodes.empty()) {
    tx.execute("INSERT INTO " + sql.ident(nodes) +
                   " (period, vcenter, vcenter_uuid, datacenter, cluster, days, hosts, "
                   "host_samples, samples_expected, node_hours) SELECT $1, vcenter, vcenter_uuid, "
                   "MAX(datacenter), cluster, COUNT(*), MAX(hosts), SUM(host_samples), "
                   "SUM(samples_expected), " + sql.dbl("SUM(node_hours)") + " FROM (" + day_nodes +
                   ") u GROUP BY vcenter, vcenter_uuid, cluster",
               {month.text()});
  }

  for (const auto& t : {kMonthLast, kMonthVm}) {
    for (const auto& s : sql.drop_temp(t)) tx.execute(s);
  }
  registry_.record(tx, store::Registration{month.table(), std::nullopt, rows,
                                           store::SnapshotStatus::kOk, std::nullopt,
                                           std::chrono::milliseconds(0)});
  core::log_info("monthly summary built", {{"table", table},
                                           {"rows", std::to_string(rows)},
                                           {"daily_tables", std::to_string(daily.size())}});
  return SummaryResult{table, rows, static_cast<std::int64_t>(daily.size())};
}

}  // namespace vctp::aggregator

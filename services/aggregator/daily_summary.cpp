#include "daily_summary.hpp"

#include <chrono>

#include "vctp/core/logging.hpp"
#include "vctp/store/inventory.hpp"

namespace vctp::aggregator {

namespace {

constexpr std::string_view kRaw = "vctp_agg_raw";
constexpr std::string_view kLife = "vctp_agg_life";
constexpr std::string_view kVmPool = "vctp_agg_vm_pool";
constexpr std::string_view kLast = "vctp_agg_last";

std::int64_t epoch_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string quoted_list(const SqlText& sql, const std::vector<store::TableName>& tables) {
  std::string out;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (i) out += ", ";
    out += sql.dialect().quote_literal(tables[i].str());
  }
  return out;
}

std::vector<std::string> names_of(const std::vector<store::TableName>& tables) {
  std::vector<std::string> out;
  for (const auto& t : tables) out.push_back(t.str());
  return out;
}

void run_all(store::Transaction& tx, const std::vector<std::string>& statements) {
  for (const auto& s : statements) tx.execute(s);
}

/// Snapshots completed per vCenter among `tables` (kind hourly or hosts): a whole-table
/// registration (vcenter NULL, e.g. found by the catalogue scan) counts for every vCenter.
std::string expected_sql(const SqlText& sql, std::string_view kind, std::string_view vcenters_from,
                         const std::vector<store::TableName>& tables) {
  return "SELECT v.vcenter AS vcenter, COUNT(DISTINCT r.table_name) AS expected FROM (SELECT "
         "DISTINCT vcenter FROM " +
         std::string(vcenters_from) +
         ") v JOIN snapshot_registry r ON r.kind = '" + std::string(kind) +
         "' AND r.status = 'ok' AND r.table_name IN (" + quoted_list(sql, tables) +
         ") AND (r.vcenter = v.vcenter OR r.vcenter IS NULL) GROUP BY v.vcenter";
}

}  // namespace

std::vector<SummaryColumn> daily_summary_columns(const store::Dialect& d) {
  const std::string text(d.text_type()), integer(d.integer_type()), real(d.real_type()),
      boolean(d.boolean_type()), ts(d.timestamp_type());
  return {
      {"period", text + " NOT NULL"},   {"vcenter", text},
      {"vcenter_uuid", text + " NOT NULL"}, {"instance_uuid", text + " NOT NULL"},
      {"vm_id", text},                  {"name", text},
      {"datacenter", text},             {"cluster", text},
      {"tenant", text},                 {"folder", text},
      {"resource_pool", text},          {"samples_seen", integer + " NOT NULL"},
      {"samples_expected", integer + " NOT NULL"}, {"presence", real + " NOT NULL"},
      {"hours_present", real + " NOT NULL"}, {"avg_vcpu", real},
      {"max_vcpu", integer},            {"avg_ram_gb", real},
      {"max_ram_gb", real},             {"avg_disk_gb", real},
      {"max_disk_gb", real},            {"powered_on_share", real},
      {"is_template", boolean + " NOT NULL"}, {"srm_placeholder", boolean + " NOT NULL"},
      {"node_charge", boolean + " NOT NULL"}, {"charged", boolean + " NOT NULL"},
      {"creation_time", ts},            {"deletion_time", ts},
  };
}

SummaryResult DailySummary::build(store::Transaction& tx, const Period& day) const {
  using store::SnapshotKind;
  const SqlText sql(tx.dialect());
  const auto& d = tx.dialect();
  tx.lock("vctp.aggregate.daily." + day.text());

  const auto hourly = registry_.tables_for_period(tx, SnapshotKind::kHourly, day.start(), day.end());
  if (hourly.empty()) {
    throw InvalidRequest("no hourly snapshot data for " + day.text() +
                         ": nothing to summarise (no snap_hourly table of that day is registered "
                         "or in the database)");
  }
  const auto hosts = registry_.tables_for_period(tx, SnapshotKind::kHosts, day.start(), day.end());
  const std::string ds = std::to_string(epoch_of(day.start()));
  const std::string de = std::to_string(epoch_of(day.end()));

  run_all(tx, sql.bulk_work());

  // 1. Every sample of the day, tenants to filter left out (rules applied to distinct values).
  const auto filtered = rules_.filtered_tenants(distinct_values(tx, names_of(hourly), "tenant"));
  store::Params raw_params;
  const std::string keep = "NOT " + SqlText::in_set("tenant", filtered, raw_params);
  std::string raw;
  for (std::size_t i = 0; i < hourly.size(); ++i) {
    if (i) raw += " UNION ALL ";
    raw += "SELECT " + std::to_string(epoch_of(hourly[i].period_start())) +
           " AS hour_start, vcenter, vcenter_uuid, COALESCE(NULLIF(instance_uuid, ''), 'moref:' "
           "|| vm_id) AS instance_uuid, vm_id, name, datacenter, cluster, resource_pool, folder, "
           "tenant, COALESCE(vcpu_count, 0) AS vcpu_count, COALESCE(ram_mb, 0) AS ram_mb, " +
           sql.dbl("COALESCE(disk_gb, 0)") +
           " AS disk_gb, CASE WHEN power_state = 'poweredOn' THEN 1 ELSE 0 END AS powered_on, "
           "CASE WHEN is_template THEN 1 ELSE 0 END AS is_template, CASE WHEN srm_placeholder "
           "THEN 1 ELSE 0 END AS srm_placeholder, " +
           sql.epoch("creation_time") + " AS created_hint FROM " + sql.ident(hourly[i].str()) +
           " WHERE " + keep;
  }
  const auto raw_stmts = sql.create_temp(kRaw, raw);
  tx.execute(raw_stmts[0]);
  tx.execute(raw_stmts[1], raw_params);  // the only one with parameters
  for (std::size_t i = 2; i < raw_stmts.size(); ++i) tx.execute(raw_stmts[i]);

  // 2. Per VM: lifecycle (inventory first, then vm_events, then the hourly rows'
  //    creation_time), its lifetime in the day and the hour of its last sample.
  const std::string exact =
      "CASE WHEN ((created > " + ds + " AND created < " + de + ") OR (deleted > " + ds +
      " AND deleted < " + de + ")) AND COALESCE(deleted, " + de + ") > COALESCE(created, " + ds +
      ") THEN 1 ELSE 0 END";
  const std::string lifecycle =
      "SELECT k.vcenter_uuid, k.instance_uuid, k.last_hour, COALESCE(inv.created, ev.created, "
      "k.created_hint) AS created, COALESCE(inv.deleted, ev.deleted) AS deleted FROM (SELECT "
      "vcenter_uuid, instance_uuid, MIN(created_hint) AS created_hint, MAX(hour_start) AS "
      "last_hour FROM " + std::string(kRaw) +
      " GROUP BY vcenter_uuid, instance_uuid) k LEFT JOIN (SELECT vcenter_uuid, instance_uuid, " +
      sql.epoch("creation_time") + " AS created, " + sql.epoch("deletion_time") +
      " AS deleted FROM inventory) inv ON inv.vcenter_uuid = k.vcenter_uuid AND "
      "inv.instance_uuid = k.instance_uuid LEFT JOIN (SELECT vcenter_uuid, instance_uuid, "
      "MIN(CASE WHEN event_type IN (" + store::creation_event_types_sql(sql.dialect()) + ") THEN " +
      sql.epoch("created_time") + " END) AS created, MAX(CASE WHEN event_type = "
      "'VmRemovedEvent' THEN " + sql.epoch("created_time") + " END) AS deleted FROM vm_events "
      "WHERE instance_uuid IS NOT NULL GROUP BY vcenter_uuid, instance_uuid) ev ON "
      "ev.vcenter_uuid = k.vcenter_uuid AND ev.instance_uuid = k.instance_uuid";
  run_all(tx, sql.create_temp(kLife,
      "SELECT vcenter_uuid, instance_uuid, last_hour, created, deleted, exact, CASE WHEN exact = 1 "
      "THEN " + sql.greatest(ds, "COALESCE(created, " + ds + ")") + " ELSE " + ds +
      " END AS life_start, CASE WHEN exact = 1 THEN " + sql.least(de, "COALESCE(deleted, " + de + ")") +
      " ELSE " + de + " END AS life_end FROM (SELECT y.*, " + exact + " AS exact FROM (" + lifecycle +
      ") y) x"));
  run_all(tx, sql.create_index(kLife, "vcenter_uuid, instance_uuid"));

  // 3. One pass over the samples: per VM and resource pool, the count, the weights (the hour
  //    each sample opens, clipped to the VM's lifetime in the day), the weighted and plain sums
  //    and the maxima. The summary and the pool shares both add these up per VM.
  const std::string w = sql.greatest("0", sql.least("r.hour_start + 3600", "b.life_end") + " - " +
                                              sql.greatest("r.hour_start", "b.life_start"));
  run_all(tx, sql.create_temp(kVmPool,
      "SELECT r.vcenter_uuid, r.instance_uuid, COALESCE(r.resource_pool, '') AS resource_pool, "
      "COUNT(*) AS samples, SUM(" + w + ") AS pw, SUM(" + w + " * r.vcpu_count) AS s_vcpu, "
      "SUM(" + sql.dbl("r.vcpu_count") + ") AS t_vcpu, MAX(r.vcpu_count) AS max_vcpu, SUM(" + w +
      " * r.ram_mb) AS s_ram, SUM(" + sql.dbl("r.ram_mb") + ") AS t_ram, MAX(r.ram_mb) AS max_ram, "
      "SUM(" + w + " * r.disk_gb) AS s_disk, SUM(r.disk_gb) AS t_disk, MAX(r.disk_gb) AS max_disk, "
      "SUM(" + w + " * r.powered_on) AS s_on, SUM(" + sql.dbl("r.powered_on") + ") AS t_on FROM " +
      std::string(kRaw) + " r JOIN " + std::string(kLife) + " b ON b.vcenter_uuid = r.vcenter_uuid "
      "AND b.instance_uuid = r.instance_uuid GROUP BY r.vcenter_uuid, r.instance_uuid, "
      "COALESCE(r.resource_pool, '')"));
  run_all(tx, sql.create_index(kVmPool, "vcenter_uuid, instance_uuid"));

  // 4. Each VM's last sample of the day: the samples of its last hour, numbered so that one is
  //    taken deterministically should an hourly table hold the VM twice.
  std::string tie_break;
  for (const char* c : {"vcenter", "vm_id", "name", "datacenter", "cluster", "resource_pool",
                        "folder", "tenant"}) {
    tie_break += (tie_break.empty() ? "" : ", ") + d.binary_key("COALESCE(r." + std::string(c) + ", '')");
  }
  run_all(tx, sql.create_temp(kLast,
      "SELECT r.vcenter, r.vcenter_uuid, r.instance_uuid, r.vm_id, r.name, r.datacenter, "
      "r.cluster, r.tenant, r.folder, r.resource_pool, r.is_template, r.srm_placeholder, "
      "ROW_NUMBER() OVER (PARTITION BY " + d.binary_key("r.vcenter_uuid") + ", " +
      d.binary_key("r.instance_uuid") + " ORDER BY " + tie_break + ", r.is_template, "
      "r.srm_placeholder) AS rn FROM " + std::string(kRaw) + " r JOIN " + std::string(kLife) +
      " b ON b.vcenter_uuid = r.vcenter_uuid AND b.instance_uuid = r.instance_uuid AND "
      "r.hour_start = b.last_hour"));
  run_all(tx, sql.create_index(kLast, "vcenter_uuid, instance_uuid"));

  // 5. The summary table, replaced inside this transaction.
  const std::string table = day.table().str();
  const std::string pools = day.companion_table("pools");
  const std::string nodes = day.companion_table("nodes");
  for (const auto& t : {table, pools, nodes}) tx.execute("DROP TABLE IF EXISTS " + sql.ident(t));
  const auto columns = daily_summary_columns(d);
  tx.execute(create_table_sql(sql, table, columns));

  // The rules match single values, and are only applied to the last sample's cluster and name.
  store::Params params{day.text()};
  const auto clusters = rules_.node_charge_clusters(
      distinct_values(tx, {std::string(kLast)}, "cluster"));
  const auto active_active = rules_.active_active_vms(
      distinct_values(tx, {std::string(kLast)}, "name", "srm_placeholder = 1"));
  const std::string node_charge = SqlText::in_set("last.cluster", clusters, params);
  const std::string aa = SqlText::in_set("last.name", active_active, params);

  const auto avg = [&](const std::string& sum, const std::string& plain) {
    return "CASE WHEN a.sw > 0 THEN " + sql.dbl(sum) + " / " + sql.dbl("a.sw") + " ELSE " + plain +
           " END";
  };
  const std::string expected = "(" + sql.greatest("COALESCE(e.expected, 0)", "a.samples_seen") + ")";
  const std::string presence =
      "(CASE WHEN l.exact = 1 THEN " + sql.dbl("l.life_end - l.life_start") + " / " +
      sql.dbl(std::to_string(epoch_of(day.end()) - epoch_of(day.start()))) + " ELSE " +
      sql.dbl("a.samples_seen") + " / " + sql.dbl(expected) + " END)";
  const std::string node_flag = "CASE WHEN " + node_charge + " THEN 1 ELSE 0 END";
  const std::string charged = "CASE WHEN last.is_template = 1 THEN 0 WHEN " + node_charge +
                              " THEN 0 WHEN last.srm_placeholder = 1 AND NOT " + aa +
                              " THEN 0 ELSE 1 END";
  const std::string insert =
      "INSERT INTO " + sql.ident(table) + " (" + column_list(columns) +
      ") SELECT $1, last.vcenter, a.vcenter_uuid, a.instance_uuid, last.vm_id, last.name, "
      "last.datacenter, last.cluster, last.tenant, last.folder, last.resource_pool, "
      "a.samples_seen, " + expected + ", " + presence + ", " + presence + " * 24, " +
      avg("a.s_vcpu", "a.m_vcpu") + ", a.max_vcpu, (" + avg("a.s_ram", "a.m_ram") +
      ") / 1024, " + sql.dbl("a.max_ram") + " / 1024, " + avg("a.s_disk", "a.m_disk") +
      ", a.max_disk, " + avg("a.s_on", "a.m_on") + ", " + sql.to_bool("last.is_template") +
      ", " + sql.to_bool("last.srm_placeholder") + ", " + sql.to_bool(node_flag) + ", " +
      sql.to_bool(charged) + ", " + sql.from_epoch("l.created") + ", " +
      sql.from_epoch("l.deleted") +
      " FROM (SELECT vcenter_uuid, instance_uuid, SUM(samples) AS samples_seen, SUM(pw) AS sw, "
      "SUM(s_vcpu) AS s_vcpu, SUM(t_vcpu) / " + sql.dbl("SUM(samples)") + " AS m_vcpu, "
      "MAX(max_vcpu) AS max_vcpu, SUM(s_ram) AS s_ram, SUM(t_ram) / " + sql.dbl("SUM(samples)") +
      " AS m_ram, MAX(max_ram) AS max_ram, SUM(s_disk) AS s_disk, SUM(t_disk) / " +
      sql.dbl("SUM(samples)") + " AS m_disk, MAX(max_disk) AS max_disk, SUM(s_on) AS s_on, "
      "SUM(t_on) / " + sql.dbl("SUM(samples)") + " AS m_on FROM " + std::string(kVmPool) +
      " GROUP BY vcenter_uuid, instance_uuid) a JOIN " + std::string(kLast) +
      " last ON last.vcenter_uuid = a.vcenter_uuid AND last.instance_uuid = a.instance_uuid AND "
      "last.rn = 1 JOIN " + std::string(kLife) +
      " l ON l.vcenter_uuid = a.vcenter_uuid AND l.instance_uuid = a.instance_uuid "
      "LEFT JOIN (" + expected_sql(sql, "hourly", kLast, hourly) + ") e ON e.vcenter = "
      "last.vcenter";
  const std::int64_t rows = tx.execute(insert, params);

  // 6. Share of the day per resource pool, from the per-(VM, pool) sums.
  tx.execute(create_table_sql(
      sql, pools,
      {{"period", std::string(d.text_type()) + " NOT NULL"},
       {"vcenter_uuid", std::string(d.text_type()) + " NOT NULL"},
       {"instance_uuid", std::string(d.text_type()) + " NOT NULL"},
       {"resource_pool", std::string(d.text_type()) + " NOT NULL"},
       {"samples", std::string(d.integer_type()) + " NOT NULL"},
       {"share_of_presence", std::string(d.real_type()) + " NOT NULL"},
       {"share", std::string(d.real_type()) + " NOT NULL"},
       {"hours", std::string(d.real_type()) + " NOT NULL"}}));
  const std::string share_p =
      "CASE WHEN t.sw > 0 THEN " + sql.dbl("p.pw") + " / t.sw ELSE " + sql.dbl("p.samples") +
      " / " + sql.dbl("t.n") + " END";
  tx.execute(
      "INSERT INTO " + sql.ident(pools) +
          " (period, vcenter_uuid, instance_uuid, resource_pool, samples, share_of_presence, "
          "share, hours) SELECT $1, p.vcenter_uuid, p.instance_uuid, p.resource_pool, p.samples, " +
          share_p + ", (" + share_p + ") * s.presence, (" + share_p + ") * s.presence * 24 FROM " +
          std::string(kVmPool) + " p JOIN (SELECT vcenter_uuid, instance_uuid, SUM(samples) AS n, " +
          sql.dbl("SUM(pw)") + " AS sw FROM " + std::string(kVmPool) +
          " GROUP BY vcenter_uuid, instance_uuid) t ON t.vcenter_uuid = p.vcenter_uuid AND "
          "t.instance_uuid = p.instance_uuid JOIN " + sql.ident(table) +
          " s ON s.vcenter_uuid = p.vcenter_uuid AND s.instance_uuid = p.instance_uuid",
      {day.text()});

  // 7. Node-hours per node-charge cluster from the host snapshots.
  tx.execute(create_table_sql(
      sql, nodes,
      {{"period", std::string(d.text_type()) + " NOT NULL"},
       {"vcenter", std::string(d.text_type())},
       {"vcenter_uuid", std::string(d.text_type()) + " NOT NULL"},
       {"datacenter", std::string(d.text_type())},
       {"cluster", std::string(d.text_type()) + " NOT NULL"},
       {"hosts", std::string(d.integer_type()) + " NOT NULL"},
       {"host_samples", std::string(d.integer_type()) + " NOT NULL"},
       {"samples_expected", std::string(d.integer_type()) + " NOT NULL"},
       {"node_hours", std::string(d.real_type()) + " NOT NULL"}}));
  if (!hosts.empty()) {
    const auto host_clusters = rules_.node_charge_clusters(distinct_values(tx, names_of(hosts), "cluster"));
    if (!host_clusters.empty()) {
      store::Params node_params{day.text()};
      const std::string in_cluster = SqlText::in_set("cluster", host_clusters, node_params);
      std::string h;
      for (std::size_t i = 0; i < hosts.size(); ++i) {
        if (i) h += " UNION ALL ";
        h += "SELECT vcenter, vcenter_uuid, host_id, datacenter, cluster FROM " +
             sql.ident(hosts[i].str()) + " WHERE " + in_cluster;
      }
      tx.execute("INSERT INTO " + sql.ident(nodes) +
                     " (period, vcenter, vcenter_uuid, datacenter, cluster, hosts, host_samples, "
                     "samples_expected, node_hours) SELECT $1, hs.vcenter, hs.vcenter_uuid, "
                     "MAX(hs.datacenter), hs.cluster, COUNT(DISTINCT hs.host_id), COUNT(*), "
                     "MAX(COALESCE(e.expected, 0)), " + sql.dbl("COUNT(*) * 24") + " / " +
                     sql.dbl("CASE WHEN MAX(COALESCE(e.expected, 0)) > 0 THEN MAX(e.expected) ELSE 24 END") +
                     " FROM (" + h + ") hs LEFT JOIN (" +
                     expected_sql(sql, "hosts", "(" + h + ") hv", hosts) +
                     ") e ON e.vcenter = hs.vcenter GROUP BY hs.vcenter, hs.vcenter_uuid, hs.cluster",
                 node_params);
    }
  }

  for (const auto& t : {kLast, kVmPool, kLife, kRaw}) run_all(tx, sql.drop_temp(t));
  registry_.record(tx, store::Registration{day.table(), std::nullopt, rows, store::SnapshotStatus::kOk,
                                           std::nullopt, std::chrono::milliseconds(0)});
  core::log_info("daily summary built", {{"table", table},
                                         {"rows", std::to_string(rows)},
                                         {"hourly_tables", std::to_string(hourly.size())}});
  return SummaryResult{table, rows, static_cast<std::int64_t>(hourly.size())};
}

}  // namespace vctp::aggregator

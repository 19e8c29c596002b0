#include "daily_summary.hpp"

#include <algorithm>
#include <chrono>

#include "vctp/core/logging.hpp"
#include "vctp/store/inventory.hpp"
#include "vctp/store/summary_columns.hpp"

namespace vctp::aggregator {

namespace {

constexpr std::string_view kFold = "vctp_agg_fold";
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

/// Snapshots per vCenter among `tables` (kind hourly or hosts): `expected` those completed,
/// `attempted` those completed or failed (an hour the vCenter was down is a sample expected and
/// not seen). A whole-table registration (vcenter NULL, e.g. found by the catalogue scan)
/// counts for every vCenter.
std::string expected_sql(const SqlText& sql, std::string_view kind, std::string_view vcenters_from,
                         const std::vector<store::TableName>& tables) {
  return "SELECT v.vcenter AS vcenter, COUNT(DISTINCT CASE WHEN r.status = 'ok' THEN r.table_name END) AS expected, "
         "COUNT(DISTINCT r.table_name) AS attempted FROM (SELECT "
         "DISTINCT vcenter FROM " +
         std::string(vcenters_from) + ") v JOIN snapshot_registry r ON r.kind = '" + std::string(kind) +
         "' AND r.status IN ('ok', 'failed') AND r.table_name IN (" + quoted_list(sql, tables) +
         ") AND (r.vcenter = v.vcenter OR r.vcenter IS NULL) GROUP BY v.vcenter";
}

/// What every step of one day's summary works from.
struct Day {
  store::Transaction& tx;
  SqlText sql;
  const Period& period;
  std::vector<store::TableName> hourly;
  std::vector<store::TableName> hosts;
  std::string ds;  ///< the day's start, epoch seconds as SQL text
  std::string de;  ///< the day's end
  std::string table;
  std::vector<std::string> filtered;  ///< the tenants left out (step 2)
};

void create_temp(Day& day, std::string_view name, const std::string& select, std::string_view index,
                 const store::Params& params = {}) {
  const auto statements = day.sql.create_temp(name, select);
  day.tx.execute(statements[0]);
  day.tx.execute(statements[1], params);  // the only one with parameters
  for (std::size_t i = 2; i < statements.size(); ++i) day.tx.execute(statements[i]);
  run_all(day.tx, day.sql.create_index(name, index));
}

/// The VM key of an hourly row: its instance UUID, else its moref.
constexpr std::string_view kVmKey = "COALESCE(NULLIF(instance_uuid, ''), 'moref:' || vm_id)";

/// The keys of the VMs whose lifetime may start or end inside the day by the inventory or
/// vm_events (a superset of those lifecycle_sql finds exact from these two sources).
std::vector<std::string> lifecycle_in_day(const Day& day) {
  const SqlText& sql = day.sql;
  const auto in_day = [&](const std::string& e) { return "(" + e + " > " + day.ds + " AND " + e + " < " + day.de + ")"; };
  const std::string c = sql.epoch("creation_time"), d = sql.epoch("deletion_time"), e = sql.epoch("created_time");
  std::vector<std::string> out;
  for (const auto& row : day.tx.query(
           "SELECT instance_uuid FROM inventory WHERE instance_uuid IS NOT NULL AND (" + in_day(c) + " OR " +
           in_day(d) + ") UNION SELECT instance_uuid FROM vm_events WHERE instance_uuid IS NOT NULL AND (event_type IN (" +
           store::creation_event_types_sql(sql.dialect()) + ") OR event_type = 'VmRemovedEvent') AND " + in_day(e))) {
    out.push_back(row.get_text(0));
  }
  return out;
}

/// More VMs created or deleted in a day than this, and every sample is weighed hour by hour
/// (rather than binding them all as parameters).
constexpr std::size_t kMaxListedLifecycles = 5000;

/// 1. The one read of the hourly tables: per VM, resource pool and tenant, the count, sums and
///    maxima of the samples, their earliest creation_time and latest hour. A sample's weight
///    (the hour it opens, clipped to the VM's lifetime) is the whole hour unless the VM may be
///    created or deleted inside the day: by the inventory or vm_events, or by a creation_time
///    from the day's start on or missing (the fallback of lifecycle_sql). Those samples are
///    kept apart, one group per hour (`hour`, else -1), so that step 3 can weigh them exactly.
///    The test is on values alone (no join), so PostgreSQL can run the read and the partial
///    aggregate in parallel workers.
void fold_samples(Day& day) {
  const SqlText& sql = day.sql;
  std::string raw;
  for (std::size_t i = 0; i < day.hourly.size(); ++i) {
    if (i) raw += " UNION ALL ";
    raw += "SELECT " + std::to_string(epoch_of(day.hourly[i].period_start())) + " AS hour_start, vcenter_uuid, " +
           std::string(kVmKey) +
           " AS instance_uuid, COALESCE(resource_pool, '') AS resource_pool, COALESCE(tenant, '') AS tenant, "
           "COALESCE(vcpu_count, 0) AS vcpu_count, COALESCE(ram_mb, 0) AS ram_mb, " +
           sql.dbl("COALESCE(disk_gb, 0)") +
           " AS disk_gb, CASE WHEN power_state = 'poweredOn' THEN 1 ELSE 0 END AS powered_on, creation_time FROM " +
           sql.ident(day.hourly[i].str());
  }
  const auto listed = lifecycle_in_day(day);
  store::Params params;
  const std::string in_day = listed.size() > kMaxListedLifecycles
                                 ? std::string("1 = 1")
                                 : SqlText::in_set("r.instance_uuid", listed, params);
  const std::string hour = "CASE WHEN r.creation_time IS NULL OR r.creation_time >= " + sql.from_epoch(day.ds) +
                           " OR " + in_day + " THEN r.hour_start ELSE -1 END";
  create_temp(day, kFold,
              "SELECT r.vcenter_uuid, r.instance_uuid, r.resource_pool, r.tenant, " + hour +
                  " AS hour, COUNT(*) AS samples, SUM(r.vcpu_count) AS vcpu, MAX(r.vcpu_count) AS max_vcpu, "
                  "SUM(r.ram_mb) AS ram, MAX(r.ram_mb) AS max_ram, SUM(r.disk_gb) AS disk, MAX(r.disk_gb) AS "
                  "max_disk, SUM(r.powered_on) AS on_count, MIN(r.creation_time) AS created_min, MAX(r.hour_start) "
                  "AS last_hour FROM (" +
                  raw + ") r GROUP BY r.vcenter_uuid, r.instance_uuid, r.resource_pool, r.tenant, " + hour,
              "vcenter_uuid, instance_uuid", params);
}

/// `NOT (tenant IN (...filtered...))` over step 1's groups, the values appended to `params`.
std::string kept(const Day& day, std::string_view tenant, store::Params& params) {
  return "NOT " + SqlText::in_set(tenant, day.filtered, params);
}

/// Per VM, its creation and deletion: the inventory's first, then vm_events', then the hourly
/// rows' creation_time; and the hour of its last sample. `where` keeps the tenants not filtered.
std::string lifecycle_sql(const SqlText& sql, const std::string& where) {
  return "SELECT k.vcenter_uuid, k.instance_uuid, k.last_hour, COALESCE(inv.created, ev.created, "
         "k.created_hint) AS created, COALESCE(inv.deleted, ev.deleted) AS deleted FROM (SELECT "
         "vcenter_uuid, instance_uuid, " +
         sql.epoch("MIN(created_min)") + " AS created_hint, MAX(last_hour) AS last_hour FROM " +
         std::string(kFold) + " WHERE " + where +
         " GROUP BY vcenter_uuid, instance_uuid) k LEFT JOIN (SELECT vcenter_uuid, instance_uuid, " +
         sql.epoch("creation_time") + " AS created, " + sql.epoch("deletion_time") +
         " AS deleted FROM inventory) inv ON inv.vcenter_uuid = k.vcenter_uuid AND "
         "inv.instance_uuid = k.instance_uuid LEFT JOIN (SELECT vcenter_uuid, instance_uuid, "
         "MIN(CASE WHEN event_type IN (" +
         store::creation_event_types_sql(sql.dialect()) + ") THEN " + sql.epoch("created_time") +
         " END) AS created, MAX(CASE WHEN event_type = "
         "'VmRemovedEvent' THEN " +
         sql.epoch("created_time") +
         " END) AS deleted FROM vm_events "
         "WHERE instance_uuid IS NOT NULL GROUP BY vcenter_uuid, instance_uuid) ev ON "
         "ev.vcenter_uuid = k.vcenter_uuid AND ev.instance_uuid = k.instance_uuid";
}

/// 2. Per VM: its lifecycle, whether it is exact (created or deleted inside the day) and its
///    lifetime in the day. Tenants to filter are left out (rules applied to distinct values).
void vm_lifetimes(Day& day, const ChargebackRules& rules) {
  const SqlText& sql = day.sql;
  const std::string& ds = day.ds;
  const std::string& de = day.de;
  day.filtered = rules.filtered_tenants(distinct_values(day.tx, {std::string(kFold)}, "tenant"));
  store::Params params;
  const std::string where = kept(day, "tenant", params);
  const std::string exact = "CASE WHEN ((created > " + ds + " AND created < " + de + ") OR (deleted > " + ds +
                            " AND deleted < " + de + ")) AND COALESCE(deleted, " + de + ") > COALESCE(created, " + ds +
                            ") THEN 1 ELSE 0 END";
  create_temp(day, kLife,
              "SELECT vcenter_uuid, instance_uuid, last_hour, created, deleted, exact, CASE WHEN exact = 1 "
              "THEN " +
                  sql.greatest(ds, "COALESCE(created, " + ds + ")") + " ELSE " + ds +
                  " END AS life_start, CASE WHEN exact = 1 THEN " + sql.least(de, "COALESCE(deleted, " + de + ")") +
                  " ELSE " + de + " END AS life_end FROM (SELECT y.*, " + exact + " AS exact FROM (" +
                  lifecycle_sql(sql, where) + ") y) x",
              "vcenter_uuid, instance_uuid", params);
}

/// 3. Per VM and resource pool, the count, the weights (the hour each sample opens, clipped to
///    the VM's lifetime in the day; the whole hour for step 1's groups of hour -1), the
///    weighted and plain sums and the maxima. The summary and the pool shares both add these
///    up per VM.
void vm_pool_sums(Day& day) {
  const SqlText& sql = day.sql;
  const std::string w =
      "(CASE WHEN g.hour < 0 THEN 3600 ELSE " +
      sql.greatest("0", sql.least("g.hour + 3600", "b.life_end") + " - " + sql.greatest("g.hour", "b.life_start")) +
      " END)";
  store::Params params;
  const std::string where = kept(day, "g.tenant", params);
  create_temp(day, kVmPool,
              "SELECT g.vcenter_uuid, g.instance_uuid, g.resource_pool, SUM(g.samples) AS samples, SUM(" + w +
                  " * g.samples) AS pw, SUM(" + w + " * g.vcpu) AS s_vcpu, SUM(" + sql.dbl("g.vcpu") +
                  ") AS t_vcpu, MAX(g.max_vcpu) AS max_vcpu, SUM(" + w + " * g.ram) AS s_ram, SUM(" +
                  sql.dbl("g.ram") + ") AS t_ram, MAX(g.max_ram) AS max_ram, SUM(" + w +
                  " * g.disk) AS s_disk, SUM(g.disk) AS t_disk, MAX(g.max_disk) AS max_disk, SUM(" + w +
                  " * g.on_count) AS s_on, SUM(" + sql.dbl("g.on_count") + ") AS t_on FROM " + std::string(kFold) +
                  " g JOIN " + std::string(kLife) +
                  " b ON b.vcenter_uuid = g.vcenter_uuid AND b.instance_uuid = g.instance_uuid WHERE " + where +
                  " GROUP BY g.vcenter_uuid, g.instance_uuid, g.resource_pool",
              "vcenter_uuid, instance_uuid", params);
}

/// 4. Each VM's last sample of the day: the samples of its last hour, read from the hourly
///    tables of the hours that are some VM's last (most often only the day's last), numbered so
///    that one is taken deterministically should an hourly table hold the VM twice.
void last_attributes(Day& day) {
  const SqlText& sql = day.sql;
  const auto& d = sql.dialect();
  std::vector<std::int64_t> last_hours;
  for (const auto& row : day.tx.query("SELECT DISTINCT last_hour FROM " + std::string(kLife))) {
    last_hours.push_back(row.get_int(0));
  }
  store::Params params;
  std::string raw;
  for (const auto& t : day.hourly) {
    const auto hour = epoch_of(t.period_start());
    const bool wanted = last_hours.empty() || std::find(last_hours.begin(), last_hours.end(), hour) != last_hours.end();
    if (!wanted) continue;  // (with no VM at all, every table: the join below finds nothing)
    if (!raw.empty()) raw += " UNION ALL ";
    raw += "SELECT " + std::to_string(hour) + " AS hour_start, vcenter, vcenter_uuid, " + std::string(kVmKey) +
           " AS instance_uuid, vm_id, name, datacenter, cluster, resource_pool, folder, tenant, CASE WHEN "
           "is_template THEN 1 ELSE 0 END AS is_template, CASE WHEN srm_placeholder THEN 1 ELSE 0 END AS "
           "srm_placeholder FROM " +
           sql.ident(t.str()) + " WHERE " + kept(day, "tenant", params);
  }
  std::string tie_break;
  for (const char* c : {"vcenter", "vm_id", "name", "datacenter", "cluster", "resource_pool", "folder", "tenant"}) {
    tie_break += (tie_break.empty() ? "" : ", ") + d.binary_key("COALESCE(r." + std::string(c) + ", '')");
  }
  create_temp(day, kLast,
              "SELECT r.vcenter, r.vcenter_uuid, r.instance_uuid, r.vm_id, r.name, r.datacenter, "
              "r.cluster, r.tenant, r.folder, r.resource_pool, r.is_template, r.srm_placeholder, "
              "ROW_NUMBER() OVER (PARTITION BY " +
                  d.binary_key("r.vcenter_uuid") + ", " + d.binary_key("r.instance_uuid") + " ORDER BY " + tie_break +
                  ", r.is_template, "
                  "r.srm_placeholder) AS rn FROM (" +
                  raw + ") r JOIN " + std::string(kLife) +
                  " b ON b.vcenter_uuid = r.vcenter_uuid AND b.instance_uuid = r.instance_uuid AND "
                  "r.hour_start = b.last_hour",
              "vcenter_uuid, instance_uuid", params);
}

/// The per-VM sums of step 3 (a), joined to the VM's last sample (last), its lifetime (l) and
/// its vCenter's expected sample count (e).
std::string per_vm_sources(const Day& day) {
  const SqlText& sql = day.sql;
  return "(SELECT vcenter_uuid, instance_uuid, SUM(samples) AS samples_seen, SUM(pw) AS sw, "
         "SUM(s_vcpu) AS s_vcpu, SUM(t_vcpu) / " +
         sql.dbl("SUM(samples)") +
         " AS m_vcpu, "
         "MAX(max_vcpu) AS max_vcpu, SUM(s_ram) AS s_ram, SUM(t_ram) / " +
         sql.dbl("SUM(samples)") + " AS m_ram, MAX(max_ram) AS max_ram, SUM(s_disk) AS s_disk, SUM(t_disk) / " +
         sql.dbl("SUM(samples)") +
         " AS m_disk, MAX(max_disk) AS max_disk, SUM(s_on) AS s_on, "
         "SUM(t_on) / " +
         sql.dbl("SUM(samples)") + " AS m_on FROM " + std::string(kVmPool) +
         " GROUP BY vcenter_uuid, instance_uuid) a JOIN " + std::string(kLast) +
         " last ON last.vcenter_uuid = a.vcenter_uuid AND last.instance_uuid = a.instance_uuid AND "
         "last.rn = 1 JOIN " +
         std::string(kLife) +
         " l ON l.vcenter_uuid = a.vcenter_uuid AND l.instance_uuid = a.instance_uuid "
         "LEFT JOIN (" +
         expected_sql(sql, "hourly", kLast, day.hourly) +
         ") e ON e.vcenter = "
         "last.vcenter";
}

/// Each column of the daily summary from the sources of per_vm_sources. `node_charge` and
/// `active_active` are the rule matches on the last sample's cluster and name.
ColumnValues summary_values(const Day& day, const std::string& node_charge, const std::string& active_active) {
  const SqlText& sql = day.sql;
  const auto avg = [&](const std::string& sum, const std::string& plain) {
    return "CASE WHEN a.sw > 0 THEN " + sql.dbl(sum) + " / " + sql.dbl("a.sw") + " ELSE " + plain + " END";
  };
  // Presence counts the hours taken; the completeness column every hour tried, so a vCenter's
  // outage shows as a gap (samples_seen < samples_expected) without billing its VMs less.
  const std::string expected = "(" + sql.greatest("COALESCE(e.expected, 0)", "a.samples_seen") + ")";
  const std::string attempted = "(" + sql.greatest("COALESCE(e.attempted, 0)", "a.samples_seen") + ")";
  const std::string presence = "(CASE WHEN l.exact = 1 THEN " + sql.dbl("l.life_end - l.life_start") + " / " +
                               sql.dbl(std::to_string(epoch_of(day.period.end()) - epoch_of(day.period.start()))) +
                               " ELSE " + sql.dbl("a.samples_seen") + " / " + sql.dbl(expected) + " END)";
  const std::string charged = "CASE WHEN last.is_template = 1 THEN 0 WHEN " + node_charge +
                              " THEN 0 WHEN last.srm_placeholder = 1 AND NOT " + active_active + " THEN 0 ELSE 1 END";
  ColumnValues v{{"period", "$1"}, {"vcenter_uuid", "a.vcenter_uuid"}, {"instance_uuid", "a.instance_uuid"}};
  for (const char* c : {"vcenter", "vm_id", "name", "datacenter", "cluster", "tenant", "folder", "resource_pool"}) {
    v[c] = "last." + std::string(c);
  }
  v["samples_seen"] = "a.samples_seen";
  v["samples_expected"] = attempted;
  v["presence"] = presence;
  v["hours_present"] = presence + " * 24";
  v["avg_vcpu"] = avg("a.s_vcpu", "a.m_vcpu");
  v["max_vcpu"] = "a.max_vcpu";
  v["avg_ram_gb"] = "(" + avg("a.s_ram", "a.m_ram") + ") / 1024";
  v["max_ram_gb"] = sql.dbl("a.max_ram") + " / 1024";
  v["avg_disk_gb"] = avg("a.s_disk", "a.m_disk");
  v["max_disk_gb"] = "a.max_disk";
  v["powered_on_share"] = avg("a.s_on", "a.m_on");
  v["is_template"] = sql.to_bool("last.is_template");
  v["srm_placeholder"] = sql.to_bool("last.srm_placeholder");
  v["node_charge"] = sql.to_bool("CASE WHEN " + node_charge + " THEN 1 ELSE 0 END");
  v["charged"] = sql.to_bool(charged);
  v["creation_time"] = sql.from_epoch("l.created");
  v["deletion_time"] = sql.from_epoch("l.deleted");
  return v;
}

/// 5. The summary table, one row per VM. The rules match single values, and are only applied
///    to the last sample's cluster and name.
std::int64_t insert_summary(Day& day, const ChargebackRules& rules) {
  const auto columns = store::summary_columns(store::SnapshotKind::kDaily);
  day.tx.execute(create_table_sql(day.sql, day.table, columns));
  store::Params params{day.period.text()};
  const auto clusters = rules.node_charge_clusters(distinct_values(day.tx, {std::string(kLast)}, "cluster"));
  const auto active_active =
      rules.active_active_vms(distinct_values(day.tx, {std::string(kLast)}, "name", "srm_placeholder = 1"));
  const std::string node_charge = SqlText::in_set("last.cluster", clusters, params);
  const std::string aa = SqlText::in_set("last.name", active_active, params);
  return day.tx.execute(
      insert_select_sql(day.sql, day.table, columns, summary_values(day, node_charge, aa), per_vm_sources(day)),
      params);
}

/// 6. Share of the day per resource pool, from the per-(VM, pool) sums.
void pool_shares(Day& day) {
  const SqlText& sql = day.sql;
  const std::string pools = day.period.companion_table("pools");
  const auto columns = store::summary_pool_columns(store::SnapshotKind::kDaily);
  day.tx.execute(create_table_sql(sql, pools, columns));
  const std::string share = "(CASE WHEN t.sw > 0 THEN " + sql.dbl("p.pw") + " / t.sw ELSE " + sql.dbl("p.samples") +
                            " / " + sql.dbl("t.n") + " END)";
  const ColumnValues values{{"period", "$1"},
                            {"vcenter_uuid", "p.vcenter_uuid"},
                            {"instance_uuid", "p.instance_uuid"},
                            {"resource_pool", "p.resource_pool"},
                            {"samples", "p.samples"},
                            {"share_of_presence", share},
                            {"share", share + " * s.presence"},
                            {"hours", share + " * s.presence * 24"}};
  const std::string from = std::string(kVmPool) + " p JOIN (SELECT vcenter_uuid, instance_uuid, SUM(samples) AS n, " +
                           sql.dbl("SUM(pw)") + " AS sw FROM " + std::string(kVmPool) +
                           " GROUP BY vcenter_uuid, instance_uuid) t ON t.vcenter_uuid = p.vcenter_uuid AND "
                           "t.instance_uuid = p.instance_uuid JOIN " +
                           sql.ident(day.table) +
                           " s ON s.vcenter_uuid = p.vcenter_uuid AND s.instance_uuid = p.instance_uuid";
  day.tx.execute(insert_select_sql(sql, pools, columns, values, from), {day.period.text()});
}

/// 7. Node-hours per node-charge cluster from the host snapshots.
void node_hours(Day& day, const ChargebackRules& rules) {
  const SqlText& sql = day.sql;
  const std::string nodes = day.period.companion_table("nodes");
  const auto columns = store::summary_node_columns(store::SnapshotKind::kDaily);
  day.tx.execute(create_table_sql(sql, nodes, columns));
  if (day.hosts.empty()) return;
  const auto clusters = rules.node_charge_clusters(distinct_values(day.tx, names_of(day.hosts), "cluster"));
  if (clusters.empty()) return;
  store::Params params{day.period.text()};
  const std::string in_cluster = SqlText::in_set("cluster", clusters, params);
  std::string h;
  for (std::size_t i = 0; i < day.hosts.size(); ++i) {
    if (i) h += " UNION ALL ";
    h += "SELECT vcenter, vcenter_uuid, host_id, datacenter, cluster FROM " + sql.ident(day.hosts[i].str()) +
         " WHERE " + in_cluster;
  }
  const ColumnValues values{
      {"period", "$1"},
      {"vcenter", "hs.vcenter"},
      {"vcenter_uuid", "hs.vcenter_uuid"},
      {"datacenter", "MAX(hs.datacenter)"},
      {"cluster", "hs.cluster"},
      {"hosts", "COUNT(DISTINCT hs.host_id)"},
      {"host_samples", "COUNT(*)"},
      {"samples_expected", "MAX(COALESCE(e.expected, 0))"},
      {"node_hours", sql.dbl("COUNT(*) * 24") + " / " +
                         sql.dbl("CASE WHEN MAX(COALESCE(e.expected, 0)) > 0 THEN MAX(e.expected) ELSE 24 END")}};
  const std::string from = "(" + h + ") hs LEFT JOIN (" + expected_sql(sql, "hosts", "(" + h + ") hv", day.hosts) +
                           ") e ON e.vcenter = hs.vcenter GROUP BY hs.vcenter, hs.vcenter_uuid, hs.cluster";
  day.tx.execute(insert_select_sql(sql, nodes, columns, values, from), params);
}

}  // namespace

SummaryResult DailySummary::build(store::Transaction& tx, const Period& period) const {
  using store::SnapshotKind;
  tx.lock("vctp.aggregate.daily." + period.text());
  Day day{tx,
          SqlText(tx.dialect()),
          period,
          registry_.tables_for_period(tx, SnapshotKind::kHourly, period.start(), period.end()),
          registry_.tables_for_period(tx, SnapshotKind::kHosts, period.start(), period.end()),
          std::to_string(epoch_of(period.start())),
          std::to_string(epoch_of(period.end())),
          period.table().str(),
          {}};
  if (day.hourly.empty()) {
    throw InvalidRequest("no hourly snapshot data for " + period.text() +
                         ": nothing to summarise (no snap_hourly table of that day is registered "
                         "or in the database)");
  }
  run_all(tx, day.sql.bulk_work());
  fold_samples(day);
  vm_lifetimes(day, rules_);
  vm_pool_sums(day);
  last_attributes(day);
  // The summary and its companions are replaced inside this transaction.
  for (const auto& t : {day.table, period.companion_table("pools"), period.companion_table("nodes")}) {
    tx.execute("DROP TABLE IF EXISTS " + day.sql.ident(t));
  }
  const std::int64_t rows = insert_summary(day, rules_);
  pool_shares(day);
  node_hours(day, rules_);

  for (const auto& t : {kLast, kVmPool, kLife, kFold}) run_all(tx, day.sql.drop_temp(t));
  registry_.record(tx, store::Registration{period.table(), std::nullopt, rows, store::SnapshotStatus::kOk, std::nullopt,
                                           std::chrono::milliseconds(0)});
  core::log_info(
      "daily summary built",
      {{"table", day.table}, {"rows", std::to_string(rows)}, {"hourly_tables", std::to_string(day.hourly.size())}});
  return SummaryResult{day.table, rows, static_cast<std::int64_t>(day.hourly.size())};
}

}  // namespace vctp::aggregator

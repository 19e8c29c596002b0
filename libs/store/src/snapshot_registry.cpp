#include "vctp/store/snapshot_registry.hpp"

#include <algorithm>
#include <set>

#include "vctp/core/logging.hpp"
#include "vctp/core/time_format.hpp"

namespace vctp::store {

namespace {

const core::SystemClock kSystemClock;

constexpr std::string_view kColumns =
    "kind, table_name, vcenter, period_start, period_end, row_count, status, error, created_at, "
    "duration_ms, id";

SnapshotRecord to_record(const Row& row) {
  SnapshotRecord r;
  const auto kind = parse_snapshot_kind(row.get_text("kind"));
  if (!kind) throw StoreError("snapshot_registry: unknown kind '" + row.get_text("kind") + "'");
  r.kind = *kind;
  r.table_name = row.get_text("table_name");
  r.vcenter = row.get_opt_text("vcenter");
  r.period_start = row.get_time("period_start");
  r.period_end = row.get_time("period_end");
  r.row_count = row.get_int("row_count");
  r.status = row.get_text("status") == "ok" ? SnapshotStatus::kOk : SnapshotStatus::kFailed;
  r.error = row.get_opt_text("error");
  r.created_at = row.get_time("created_at");
  r.duration = std::chrono::milliseconds(row.get_int("duration_ms"));
  return r;
}

std::int64_t unregister_table(Transaction& tx, const std::string& table) {
  return tx.execute("DELETE FROM snapshot_registry WHERE table_name = $1", {table});
}

}  // namespace

std::string_view to_string(SnapshotStatus status) {
  return status == SnapshotStatus::kOk ? "ok" : "failed";
}

SnapshotRegistry::SnapshotRegistry(Database& db, const core::Clock& clock)
    : db_(db), clock_(clock) {}
SnapshotRegistry::SnapshotRegistry(Database& db) : SnapshotRegistry(db, kSystemClock) {}

void SnapshotRegistry::record(Transaction& tx, const Registration& r) const {
  const auto& d = tx.dialect();
  // Registrations of one table (several vCenters, retries) go one at a time.
  tx.lock(r.table.str());
  const Value vcenter = text_value(r.vcenter);
  tx.execute(
      "DELETE FROM snapshot_registry WHERE kind = $1 AND table_name = $2 AND "
      "COALESCE(vcenter, '') = COALESCE($3, '')",
      {std::string(to_string(r.table.kind())), r.table.str(), vcenter});
  tx.execute(
      "INSERT INTO snapshot_registry (kind, table_name, vcenter, period_start, period_end, "
      "row_count, status, error, created_at, duration_ms) VALUES ($1, $2, $3, " +
          d.timestamp_param(4) + ", " + d.timestamp_param(5) + ", $6, $7, $8, " +
          d.timestamp_param(9) + ", $10)",
      {std::string(to_string(r.table.kind())), r.table.str(), vcenter,
       time_value(r.table.period_start()), time_value(r.table.period_end()), r.row_count,
       std::string(to_string(r.status)), text_value(r.error), time_value(clock_.now()),
       std::int64_t{r.duration.count()}});
}

void SnapshotRegistry::record(const Registration& r) {
  db_.transact([&](Transaction& tx) { record(tx, r); });
}

std::vector<SnapshotRecord> SnapshotRegistry::find(Transaction& tx, SnapshotKind kind,
                                                   std::chrono::system_clock::time_point from,
                                                   std::chrono::system_clock::time_point to) const {
  const auto& d = tx.dialect();
  const auto rows = tx.query("SELECT " + std::string(kColumns) +
                                 " FROM snapshot_registry WHERE kind = $1 AND period_start >= " +
                                 d.timestamp_param(2) + " AND period_start < " +
                                 d.timestamp_param(3) +
                                 " ORDER BY period_start, table_name, COALESCE(vcenter, '')",
                             {std::string(to_string(kind)), time_value(from), time_value(to)});
  std::vector<SnapshotRecord> out;
  for (const auto& row : rows) out.push_back(to_record(row));
  return out;
}

std::vector<SnapshotRecord> SnapshotRegistry::find(SnapshotKind kind,
                                                   std::chrono::system_clock::time_point from,
                                                   std::chrono::system_clock::time_point to) {
  return db_.read([&](Transaction& tx) { return find(tx, kind, from, to); });
}

std::vector<TableName> SnapshotRegistry::scan_catalogue(
    Transaction& tx, SnapshotKind kind, std::chrono::system_clock::time_point from,
    std::chrono::system_clock::time_point to) const {
  std::set<std::string> registered;
  for (const auto& row :
       tx.query("SELECT DISTINCT table_name FROM snapshot_registry WHERE kind = $1",
                {std::string(to_string(kind))})) {
    registered.insert(row.get_text(0));
  }
  std::vector<TableName> found;
  for (const auto& name : tx.list_tables(table_glob(kind))) {
    const auto table = TableName::try_parse(name);
    if (!table || table->kind() != kind) continue;
    if (table->period_start() < from || table->period_start() >= to) continue;
    if (registered.count(name)) continue;
    const auto rows =
        tx.query("SELECT COUNT(*) FROM " + tx.dialect().quote_identifier(table->str()))[0].get_int(0);
    record(tx, Registration{*table, std::nullopt, rows, SnapshotStatus::kOk, std::nullopt,
                            std::chrono::milliseconds(0)});
    core::log_info("registered a snapshot table found in the catalogue but not in the registry",
                   {{"table", table->str()},
                    {"kind", std::string(to_string(kind))},
                    {"rows", std::to_string(rows)}});
    found.push_back(*table);
  }
  return found;
}

std::vector<TableName> SnapshotRegistry::tables_for_period(
    Transaction& tx, SnapshotKind kind, std::chrono::system_clock::time_point from,
    std::chrono::system_clock::time_point to) const {
  auto records = find(tx, kind, from, to);
  if (records.empty()) {
    const auto found = scan_catalogue(tx, kind, from, to);
    if (!found.empty()) {
      core::log_info("registry had no tables for the period: fell back to a catalogue scan",
                     {{"kind", std::string(to_string(kind))},
                      {"from", core::format_iso8601(from)},
                      {"to", core::format_iso8601(to)},
                      {"found", std::to_string(found.size())}});
    }
    records = find(tx, kind, from, to);
  }
  const auto existing = tx.list_tables(table_glob(kind));
  std::set<std::string> ok;
  for (const auto& r : records) {
    if (r.status != SnapshotStatus::kOk) continue;
    if (!std::binary_search(existing.begin(), existing.end(), r.table_name)) {
      core::log_warn("registered snapshot table is missing from the database",
                     {{"table", r.table_name}});
      continue;
    }
    ok.insert(r.table_name);
  }
  std::vector<TableName> out;
  for (const auto& name : ok) out.push_back(TableName::parse(name));
  std::sort(out.begin(), out.end(), [](const TableName& a, const TableName& b) {
    return a.period_start() < b.period_start();
  });
  return out;
}

std::vector<TableName> SnapshotRegistry::tables_for_period(
    SnapshotKind kind, std::chrono::system_clock::time_point from,
    std::chrono::system_clock::time_point to) {
  return db_.transact([&](Transaction& tx) { return tables_for_period(tx, kind, from, to); });
}

SnapshotPage SnapshotRegistry::list(const SnapshotFilter& filter) {
  const auto& d = db_.dialect();
  std::string sql = "SELECT " + std::string(kColumns) + " FROM snapshot_registry WHERE 1 = 1";
  Params params;
  auto param = [&](Value v) {
    params.push_back(std::move(v));
    return static_cast<int>(params.size());
  };
  if (filter.kind) sql += " AND kind = $" + std::to_string(param(std::string(to_string(*filter.kind))));
  if (filter.from) sql += " AND period_start >= " + d.timestamp_param(param(time_value(*filter.from)));
  if (filter.to) sql += " AND period_start < " + d.timestamp_param(param(time_value(*filter.to)));
  if (filter.vcenter) sql += " AND vcenter = $" + std::to_string(param(*filter.vcenter));
  if (filter.status) sql += " AND status = $" + std::to_string(param(std::string(to_string(*filter.status))));
  if (filter.cursor) {
    // cursor = <period_start ISO>/<id>
    const auto slash = filter.cursor->rfind('/');
    const auto when = slash == std::string::npos ? std::nullopt
                                                 : core::parse_iso8601(filter.cursor->substr(0, slash));
    std::int64_t id = 0;
    try {
      if (!when) throw std::invalid_argument("time");
      id = std::stoll(filter.cursor->substr(slash + 1));
    } catch (const std::exception&) {
      throw StoreError("snapshot list: invalid cursor '" + filter.cursor->substr(0, 60) + "'");
    }
    const int t = param(time_value(*when));
    const int i = param(id);
    sql += " AND (period_start < " + d.timestamp_param(t) + " OR (period_start = " +
           d.timestamp_param(t) + " AND id < $" + std::to_string(i) + "))";
  }
  const std::size_t limit = std::clamp<std::size_t>(filter.limit, 1, 1000);
  sql += " ORDER BY period_start DESC, id DESC LIMIT " + std::to_string(limit + 1);
  const auto rows = db_.query(sql, params);
  SnapshotPage page;
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
    page.records.push_back(to_record(rows[i]));
  }
  if (rows.size() > limit) {
    const auto& last = rows[limit - 1];
    page.next_cursor = core::format_iso8601(last.get_time("period_start")) + "/" +
                       std::to_string(last.get_int("id"));
  }
  return page;
}

std::int64_t SnapshotRegistry::unregister(Transaction& tx, const TableName& table) const {
  return unregister_table(tx, table.str());
}

std::int64_t SnapshotRegistry::unregister(const TableName& table) {
  return db_.transact([&](Transaction& tx) { return unregister(tx, table); });
}

void drop_snapshot_table(Transaction& tx, const TableName& table) {
  tx.lock(table.str());
  tx.execute("DROP TABLE IF EXISTS " + tx.dialect().quote_identifier(table.str()));
  unregister_table(tx, table.str());
}

}  // namespace vctp::store

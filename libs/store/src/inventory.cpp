#include "vctp/store/inventory.hpp"

#include <algorithm>

#include "vctp/store/columns.hpp"
#include "vctp/store/vm_columns.hpp"

namespace vctp::store {

namespace {

/// The inventory's own columns, after the VM record's.
const std::vector<Column<InventoryRecord>>& lifecycle_columns() {
  using R = InventoryRecord;
  static const std::vector<Column<R>> columns{
      {"deletion_time", &R::deletion_time},
      {"first_seen", &R::first_seen, true},
      {"last_seen", &R::last_seen, true},
  };
  return columns;
}

std::string inventory_column_list() { return column_list(vm_columns()) + ", " + column_list(lifecycle_columns()); }

/// How an existing row takes a newer sighting: known times are kept when the new one is empty,
/// first_seen keeps its earliest value and last_seen its latest; the rest is replaced.
std::string refresh_sql(const Dialect& d) {
  std::string set;
  for (const auto& c : vm_columns()) {
    const std::string name(c.name);
    if (name == "vcenter_uuid" || name == "instance_uuid") continue;  // the key
    if (!set.empty()) set += ", ";
    set += name == "creation_time" ? "creation_time = COALESCE(excluded.creation_time, inventory.creation_time)"
                                   : name + " = excluded." + name;
  }
  return set + ", deletion_time = COALESCE(excluded.deletion_time, inventory.deletion_time), first_seen = " +
         d.least("inventory.first_seen", "excluded.first_seen") +
         ", last_seen = " + d.greatest("inventory.last_seen", "excluded.last_seen");
}

std::string upsert_sql(const Dialect& d) {
  std::string values;
  int n = 0;
  const auto add = [&](ColumnType type) {
    values += (n ? ", " : "") + value_placeholder(d, type, n + 1);
    ++n;
  };
  for (const auto& c : vm_columns()) add(c.type());
  for (const auto& c : lifecycle_columns()) add(c.type());
  return "INSERT INTO inventory (" + inventory_column_list() + ") VALUES (" + values +
         ") ON CONFLICT (vcenter_uuid, instance_uuid) DO UPDATE SET " + refresh_sql(d);
}

}  // namespace

void upsert_inventory(Transaction& tx, const std::vector<InventoryRecord>& records) {
  const std::string sql = upsert_sql(tx.dialect());
  Params params;
  for (const auto& r : records) {
    params.clear();
    for (const auto& c : vm_columns()) params.push_back(c.value(r));
    for (const auto& c : lifecycle_columns()) params.push_back(c.value(r));
    tx.execute(sql, params);
  }
}

bool mark_vm_deleted(Transaction& tx, const std::string& vcenter_uuid, const std::string& instance_uuid,
                     std::chrono::system_clock::time_point deleted_at) {
  return tx.execute("UPDATE inventory SET deletion_time = " + tx.dialect().timestamp_param(3) +
                        " WHERE vcenter_uuid = $1 AND instance_uuid = $2",
                    {vcenter_uuid, instance_uuid, time_value(deleted_at)}) > 0;
}

bool mark_vm_created(Transaction& tx, const std::string& vcenter_uuid, const std::string& instance_uuid,
                     std::chrono::system_clock::time_point created_at) {
  return tx.execute("UPDATE inventory SET creation_time = " + tx.dialect().timestamp_param(3) +
                        " WHERE vcenter_uuid = $1 AND instance_uuid = $2 AND creation_time IS NULL",
                    {vcenter_uuid, instance_uuid, time_value(created_at)}) > 0;
}

std::vector<InventoryRecord> load_inventory(Transaction& tx, const std::optional<std::string>& vcenter_uuid) {
  std::string sql = "SELECT " + inventory_column_list() + " FROM inventory";
  Params params;
  if (vcenter_uuid) {
    sql += " WHERE vcenter_uuid = $1";
    params.emplace_back(*vcenter_uuid);
  }
  sql += " ORDER BY name, vcenter_uuid, instance_uuid";
  std::vector<InventoryRecord> out;
  for (const auto& row : tx.query(sql, params)) {
    InventoryRecord r;
    read_columns(vm_columns(), row, static_cast<core::VmRecord&>(r));
    read_columns(lifecycle_columns(), row, r);
    out.push_back(std::move(r));
  }
  return out;
}

std::int64_t insert_vm_events(Transaction& tx, const std::vector<VmEvent>& events) {
  const std::string sql =
      "INSERT INTO vm_events (vcenter_uuid, event_key, event_type, created_time, vm_id, "
      "instance_uuid, vm_name) VALUES ($1, $2, $3, " +
      tx.dialect().timestamp_param(4) + ", $5, $6, $7) ON CONFLICT (vcenter_uuid, event_key) DO NOTHING";
  std::int64_t inserted = 0;
  for (const auto& e : events) {
    inserted += tx.execute(sql, {e.vcenter_uuid, e.event_key, e.event_type, time_value(e.created_time), e.vm_id,
                                 text_value(e.instance_uuid), e.vm_name});
  }
  return inserted;
}

std::int64_t resolve_event_instance_uuids(Transaction& tx, const std::string& vcenter_uuid) {
  constexpr const char* kSameVm =
      "FROM inventory i WHERE i.vcenter_uuid = vm_events.vcenter_uuid AND i.vm_id = vm_events.vm_id";
  return tx.execute(std::string("UPDATE vm_events SET instance_uuid = (SELECT i.instance_uuid ") + kSameVm +
                        " ORDER BY i.last_seen DESC LIMIT 1) WHERE vcenter_uuid = $1 AND "
                        "instance_uuid IS NULL AND EXISTS (SELECT 1 " +
                        kSameVm + ")",
                    {vcenter_uuid});
}

const std::vector<std::string>& creation_event_types() {
  static const std::vector<std::string> kTypes = {"VmCreatedEvent", "VmClonedEvent", "VmDeployedEvent",
                                                  "VmRegisteredEvent", "VmDiscoveredEvent"};
  return kTypes;
}

bool is_creation_event(std::string_view event_type) {
  const auto& types = creation_event_types();
  return std::find(types.begin(), types.end(), event_type) != types.end();
}

std::string creation_event_types_sql(const Dialect& dialect) {
  std::string out;
  for (const auto& type : creation_event_types()) {
    if (!out.empty()) out += ", ";
    out += dialect.quote_literal(type);
  }
  return out;
}

std::int64_t apply_creation_events(Transaction& tx, const std::string& vcenter_uuid,
                                   const std::vector<std::string>& creation_types) {
  if (creation_types.empty()) return 0;
  Params params{vcenter_uuid};
  std::string types;
  for (const auto& t : creation_types) {
    params.emplace_back(t);
    types += (types.empty() ? "$" : ", $") + std::to_string(params.size());
  }
  const std::string events =
      "FROM vm_events e WHERE e.vcenter_uuid = inventory.vcenter_uuid AND e.instance_uuid = "
      "inventory.instance_uuid AND e.event_type IN (" +
      types + ")";
  return tx.execute("UPDATE inventory SET creation_time = (SELECT MIN(e.created_time) " + events +
                        ") WHERE vcenter_uuid = $1 AND creation_time IS NULL AND EXISTS (SELECT 1 " + events + ")",
                    params);
}

std::optional<EventCheckpoint> load_event_checkpoint(Transaction& tx, const std::string& vcenter_uuid) {
  const auto rows =
      tx.query("SELECT last_event_key, last_event_time FROM event_checkpoints WHERE vcenter_uuid = $1", {vcenter_uuid});
  if (rows.empty()) return std::nullopt;
  return EventCheckpoint{vcenter_uuid, rows[0].get_int(0), rows[0].get_time(1)};
}

void save_event_checkpoint(Transaction& tx, const EventCheckpoint& c) {
  tx.execute(
      "INSERT INTO event_checkpoints (vcenter_uuid, last_event_key, last_event_time) "
      "VALUES ($1, $2, " +
          tx.dialect().timestamp_param(3) +
          ") ON CONFLICT (vcenter_uuid) DO UPDATE SET last_event_key = "
          "excluded.last_event_key, last_event_time = excluded.last_event_time",
      {c.vcenter_uuid, c.last_event_key, time_value(c.last_event_time)});
}

void record_report(Transaction& tx, const ReportRecord& r) {
  tx.execute(
      "INSERT INTO reports (kind, period, file_name, bytes, created_at) VALUES ($1, $2, "
      "$3, $4, " +
          tx.dialect().timestamp_param(5) +
          ") ON CONFLICT (file_name) DO UPDATE SET kind = excluded.kind, period = "
          "excluded.period, bytes = excluded.bytes, created_at = excluded.created_at",
      {r.kind, r.period, r.file_name, r.bytes, time_value(r.created_at)});
}

}  // namespace vctp::store

#include "vctp/store/inventory.hpp"

#include <algorithm>

namespace vctp::store {

namespace {
constexpr const char* kInventoryColumns =
    "vcenter, vcenter_uuid, vm_id, instance_uuid, bios_uuid, name, datacenter, cluster, host, "
    "resource_pool, folder, tenant, vcpu_count, ram_mb, disk_gb, power_state, is_template, "
    "srm_placeholder, guest_os, creation_time, deletion_time, first_seen, last_seen";
}

void upsert_inventory(Transaction& tx, const std::vector<InventoryRecord>& records) {
  const auto& d = tx.dialect();
  const std::string sql =
      std::string("INSERT INTO inventory (") + kInventoryColumns +
      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, " +
      d.int_to_bool("$17") + ", " + d.int_to_bool("$18") + ", $19, " + d.timestamp_param(20) +
      ", " + d.timestamp_param(21) + ", " + d.timestamp_param(22) + ", " + d.timestamp_param(23) +
      ") ON CONFLICT (vcenter_uuid, instance_uuid) DO UPDATE SET "
      "vcenter = excluded.vcenter, vm_id = excluded.vm_id, bios_uuid = excluded.bios_uuid, "
      "name = excluded.name, datacenter = excluded.datacenter, cluster = excluded.cluster, "
      "host = excluded.host, resource_pool = excluded.resource_pool, folder = excluded.folder, "
      "tenant = excluded.tenant, vcpu_count = excluded.vcpu_count, ram_mb = excluded.ram_mb, "
      "disk_gb = excluded.disk_gb, power_state = excluded.power_state, "
      "is_template = excluded.is_template, srm_placeholder = excluded.srm_placeholder, "
      "guest_os = excluded.guest_os, "
      "creation_time = COALESCE(excluded.creation_time, inventory.creation_time), "
      "deletion_time = COALESCE(excluded.deletion_time, inventory.deletion_time), "
      "first_seen = " + d.least("inventory.first_seen", "excluded.first_seen") + ", "
      "last_seen = " + d.greatest("inventory.last_seen", "excluded.last_seen");
  for (const auto& r : records) {
    tx.execute(sql, {r.vcenter, r.vcenter_uuid, r.vm_id, r.instance_uuid, r.bios_uuid, r.name,
                     r.datacenter, r.cluster, r.host, r.resource_pool, r.folder, r.tenant,
                     r.vcpu_count, r.ram_mb, r.disk_gb, r.power_state, bool_value(r.is_template),
                     bool_value(r.srm_placeholder), r.guest_os, time_value(r.creation_time),
                     time_value(r.deletion_time), time_value(r.first_seen),
                     time_value(r.last_seen)});
  }
}

bool mark_vm_deleted(Transaction& tx, const std::string& vcenter_uuid,
                     const std::string& instance_uuid,
                     std::chrono::system_clock::time_point deleted_at) {
  return tx.execute("UPDATE inventory SET deletion_time = " + tx.dialect().timestamp_param(3) +
                        " WHERE vcenter_uuid = $1 AND instance_uuid = $2",
                    {vcenter_uuid, instance_uuid, time_value(deleted_at)}) > 0;
}

std::vector<InventoryRecord> load_inventory(Transaction& tx,
                                            const std::optional<std::string>& vcenter_uuid) {
  std::string sql = std::string("SELECT ") + kInventoryColumns + " FROM inventory";
  Params params;
  if (vcenter_uuid) {
    sql += " WHERE vcenter_uuid = $1";
    params.emplace_back(*vcenter_uuid);
  }
  sql += " ORDER BY name, vcenter_uuid, instance_uuid";
  std::vector<InventoryRecord> out;
  for (const auto& row : tx.query(sql, params)) {
    InventoryRecord r;
    r.vcenter = row.get_text("vcenter");
    r.vcenter_uuid = row.get_text("vcenter_uuid");
    r.vm_id = row.get_text("vm_id");
    r.instance_uuid = row.get_text("instance_uuid");
    r.bios_uuid = row.get_text("bios_uuid");
    r.name = row.get_text("name");
    r.datacenter = row.get_text("datacenter");
    r.cluster = row.get_text("cluster");
    r.host = row.get_text("host");
    r.resource_pool = row.get_text("resource_pool");
    r.folder = row.get_text("folder");
    r.tenant = row.get_text("tenant");
    r.vcpu_count = row.get_opt_int("vcpu_count").value_or(0);
    r.ram_mb = row.get_opt_int("ram_mb").value_or(0);
    r.disk_gb = row.get_opt_double("disk_gb").value_or(0);
    r.power_state = row.get_text("power_state");
    r.is_template = row.get_bool("is_template");
    r.srm_placeholder = row.get_bool("srm_placeholder");
    r.guest_os = row.get_text("guest_os");
    r.creation_time = row.get_opt_time("creation_time");
    r.deletion_time = row.get_opt_time("deletion_time");
    r.first_seen = row.get_time("first_seen");
    r.last_seen = row.get_time("last_seen");
    out.push_back(std::move(r));
  }
  return out;
}

std::int64_t insert_vm_events(Transaction& tx, const std::vector<VmEvent>& events) {
  const std::string sql =
      "INSERT INTO vm_events (vcenter_uuid, event_key, event_type, created_time, vm_id, "
      "instance_uuid, vm_name) VALUES ($1, $2, $3, " +
      tx.dialect().timestamp_param(4) +
      ", $5, $6, $7) ON CONFLICT (vcenter_uuid, event_key) DO NOTHING";
  std::int64_t inserted = 0;
  for (const auto& e : events) {
    inserted += tx.execute(sql, {e.vcenter_uuid, e.event_key, e.event_type,
                                 time_value(e.created_time), e.vm_id,
                                 text_value(e.instance_uuid), e.vm_name});
  }
  return inserted;
}

std::int64_t resolve_event_instance_uuids(Transaction& tx, const std::string& vcenter_uuid) {
  constexpr const char* kSameVm =
      "FROM inventory i WHERE i.vcenter_uuid = vm_events.vcenter_uuid AND i.vm_id = vm_events.vm_id";
  return tx.execute(std::string("UPDATE vm_events SET instance_uuid = (SELECT i.instance_uuid ") +
                        kSameVm + " ORDER BY i.last_seen DESC LIMIT 1) WHERE vcenter_uuid = $1 AND "
                        "instance_uuid IS NULL AND EXISTS (SELECT 1 " + kSameVm + ")",
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
      "inventory.instance_uuid AND e.event_type IN (" + types + ")";
  return tx.execute("UPDATE inventory SET creation_time = (SELECT MIN(e.created_time) " + events +
                        ") WHERE vcenter_uuid = $1 AND creation_time IS NULL AND EXISTS (SELECT 1 " +
                        events + ")",
                    params);
}

std::optional<EventCheckpoint> load_event_checkpoint(Transaction& tx,
                                                     const std::string& vcenter_uuid) {
  const auto rows = tx.query(
      "SELECT last_event_key, last_event_time FROM event_checkpoints WHERE vcenter_uuid = $1",
      {vcenter_uuid});
  if (rows.empty()) return std::nullopt;
  return EventCheckpoint{vcenter_uuid, rows[0].get_int(0), rows[0].get_time(1)};
}

void save_event_checkpoint(Transaction& tx, const EventCheckpoint& c) {
  tx.execute("INSERT INTO event_checkpoints (vcenter_uuid, last_event_key, last_event_time) "
             "VALUES ($1, $2, " + tx.dialect().timestamp_param(3) +
                 ") ON CONFLICT (vcenter_uuid) DO UPDATE SET last_event_key = "
                 "excluded.last_event_key, last_event_time = excluded.last_event_time",
             {c.vcenter_uuid, c.last_event_key, time_value(c.last_event_time)});
}

void record_report(Transaction& tx, const ReportRecord& r) {
  tx.execute("INSERT INTO reports (kind, period, file_name, bytes, created_at) VALUES ($1, $2, "
             "$3, $4, " + tx.dialect().timestamp_param(5) +
                 ") ON CONFLICT (file_name) DO UPDATE SET kind = excluded.kind, period = "
                 "excluded.period, bytes = excluded.bytes, created_at = excluded.created_at",
             {r.kind, r.period, r.file_name, r.bytes, time_value(r.created_at)});
}

}  // namespace vctp::store

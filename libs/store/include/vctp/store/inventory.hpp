#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vctp/core/vm_record.hpp"
#include "vctp/store/database.hpp"

namespace vctp::store {

/// The last-known state of a VM (a row of `inventory`, keyed by vcenter_uuid + instance_uuid):
/// the shared VM record (columns in vm_columns()) and when it was seen and removed.
struct InventoryRecord : core::VmRecord {
  std::optional<std::chrono::system_clock::time_point> deletion_time;
  std::chrono::system_clock::time_point first_seen;
  std::chrono::system_clock::time_point last_seen;
};

/// Inserts or refreshes inventory rows. first_seen keeps its earliest value, creation_time and
/// deletion_time keep a known value when the new one is empty.
void upsert_inventory(Transaction& tx, const std::vector<InventoryRecord>& records);

/// Sets deletion_time of a VM (from a VmRemovedEvent, or "not seen any more"); returns whether
/// the VM was known.
bool mark_vm_deleted(Transaction& tx, const std::string& vcenter_uuid,
                     const std::string& instance_uuid,
                     std::chrono::system_clock::time_point deleted_at);

/// Sets creation_time of a VM whose creation time is not known yet (from a creation event);
/// returns whether it was set.
bool mark_vm_created(Transaction& tx, const std::string& vcenter_uuid,
                     const std::string& instance_uuid,
                     std::chrono::system_clock::time_point created_at);

/// Reads inventory rows of one vCenter (all vCenters when empty), ordered by name.
std::vector<InventoryRecord> load_inventory(Transaction& tx,
                                            const std::optional<std::string>& vcenter_uuid = {});

/// A VM lifecycle event from vCenter (a row of `vm_events`, unique on vcenter_uuid + event_key).
struct VmEvent {
  std::string vcenter_uuid;
  std::int64_t event_key = 0;
  std::string event_type;  ///< VmCreatedEvent, VmRemovedEvent, VmClonedEvent, ...
  std::chrono::system_clock::time_point created_time;
  std::string vm_id;
  std::optional<std::string> instance_uuid;
  std::string vm_name;
};

/// Inserts events, ignoring ones already stored; returns how many were new.
std::int64_t insert_vm_events(Transaction& tx, const std::vector<VmEvent>& events);

/// Gives the events of a vCenter stored without an instance_uuid (their VM was not in the
/// inventory yet when they were read) the instance_uuid of the inventory row with their vm_id
/// (the one seen last, should a moref have been reused); returns how many it resolved.
std::int64_t resolve_event_instance_uuids(Transaction& tx, const std::string& vcenter_uuid);

/// The vm_events types that mark a VM's creation in vCenter (VmCreatedEvent, VmClonedEvent, ...):
/// the one list that the collector (a VM's creation_time when config.createDate is missing) and
/// the summaries (a VM's lifetime) go by.
const std::vector<std::string>& creation_event_types();
/// Whether `event_type` is one of creation_event_types().
bool is_creation_event(std::string_view event_type);
/// creation_event_types() as SQL literals for an IN (...) list: 'VmCreatedEvent', ...
std::string creation_event_types_sql(const Dialect& dialect);

/// Sets the creation_time of a vCenter's VMs that have none to the time of their earliest
/// event of one of `creation_types`; returns how many.
std::int64_t apply_creation_events(Transaction& tx, const std::string& vcenter_uuid,
                                   const std::vector<std::string>& creation_types = creation_event_types());

/// Where the event reader of a vCenter stopped (a row of `event_checkpoints`).
struct EventCheckpoint {
  std::string vcenter_uuid;
  std::int64_t last_event_key = 0;
  std::chrono::system_clock::time_point last_event_time;
};

std::optional<EventCheckpoint> load_event_checkpoint(Transaction& tx,
                                                     const std::string& vcenter_uuid);
void save_event_checkpoint(Transaction& tx, const EventCheckpoint& checkpoint);

/// A generated report file (a row of `reports`, unique on file_name).
struct ReportRecord {
  std::string kind;    ///< hourly / daily / monthly
  std::string period;  ///< 2026-11-24T13, 2026-11-24, 2026-11
  std::string file_name;
  std::int64_t bytes = 0;
  std::chrono::system_clock::time_point created_at;
};

/// Records (or replaces, by file_name) a generated report.
void record_report(Transaction& tx, const ReportRecord& report);

}  // namespace vctp::store

#pragma once

#include <chrono>
#include <vector>

#include "vctp/store/inventory.hpp"
#include "vctp/store/snapshot_writer.hpp"
#include "vctp/vsphere/inventory.hpp"

namespace vctp::collector {

using TimePoint = std::chrono::system_clock::time_point;

/// The rows of snap_hourly_* for one vCenter's inventory taken at `hour`.
std::vector<store::HourlyVmRow> hourly_vm_rows(const vsphere::Inventory& inventory, TimePoint hour);

/// The rows of snap_hosts_* for one vCenter's inventory taken at `hour`.
std::vector<store::HostRow> host_rows(const vsphere::Inventory& inventory, TimePoint hour);

/// The inventory table's records for VMs seen at `seen_at` (first and last seen alike; the store
/// keeps the earliest first_seen).
std::vector<store::InventoryRecord> inventory_records(const vsphere::Inventory& inventory, TimePoint seen_at);

}  // namespace vctp::collector

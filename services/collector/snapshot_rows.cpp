#include "snapshot_rows.hpp"

namespace vctp::collector {

std::vector<store::HourlyVmRow> hourly_vm_rows(const vsphere::Inventory& inventory, TimePoint hour) {
  std::vector<store::HourlyVmRow> rows;
  rows.reserve(inventory.vms.size());
  for (const auto& vm : inventory.vms) {
    rows.push_back(store::HourlyVmRow{vm, hour});
  }
  return rows;
}

std::vector<store::HostRow> host_rows(const vsphere::Inventory& inventory, TimePoint hour) {
  std::vector<store::HostRow> rows;
  rows.reserve(inventory.hosts.size());
  for (const auto& host : inventory.hosts) rows.push_back(store::HostRow{host, hour});
  return rows;
}

std::vector<store::InventoryRecord> inventory_records(const vsphere::Inventory& inventory, TimePoint seen_at) {
  std::vector<store::InventoryRecord> records;
  records.reserve(inventory.vms.size());
  for (const auto& vm : inventory.vms) {
    if (vm.instance_uuid.empty()) continue;  // no identity: cannot be tracked across snapshots
    records.push_back(store::InventoryRecord{vm, std::nullopt, seen_at, seen_at});
  }
  return records;
}

}  // namespace vctp::collector

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
  for (const auto& host : inventory.hosts) {
    store::HostRow row;
    row.snapshot_time = hour;
    row.vcenter = host.vcenter;
    row.vcenter_uuid = host.vcenter_uuid;
    row.host_id = host.host_id;
    row.name = host.name;
    row.datacenter = host.datacenter;
    row.cluster = host.cluster;
    row.cpu_cores = host.cpu_cores;
    row.ram_mb = host.memory_mb;
    row.power_state = host.power_state;
    row.connection_state = host.connection_state;
    rows.push_back(std::move(row));
  }
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

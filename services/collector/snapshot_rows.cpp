#include "snapshot_rows.hpp"

namespace vctp::collector {

std::vector<store::HourlyVmRow> hourly_vm_rows(const vsphere::Inventory& inventory, TimePoint hour) {
  std::vector<store::HourlyVmRow> rows;
  rows.reserve(inventory.vms.size());
  for (const auto& vm : inventory.vms) {
    store::HourlyVmRow row;
    row.snapshot_time = hour;
    row.vcenter = vm.vcenter;
    row.vcenter_uuid = vm.vcenter_uuid;
    row.vm_id = vm.vm_id;
    row.instance_uuid = vm.instance_uuid;
    row.bios_uuid = vm.bios_uuid;
    row.name = vm.name;
    row.datacenter = vm.datacenter;
    row.cluster = vm.cluster;
    row.host = vm.host;
    row.resource_pool = vm.resource_pool;
    row.folder = vm.folder;
    row.tenant = vm.tenant;
    row.vcpu_count = vm.vcpu_count;
    row.ram_mb = vm.ram_mb;
    row.disk_gb = vm.disk_gb;
    row.power_state = vm.power_state;
    row.is_template = vm.is_template;
    row.srm_placeholder = vm.srm_placeholder;
    row.guest_os = vm.guest_os;
    row.creation_time = vm.creation_time;
    rows.push_back(std::move(row));
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
    store::InventoryRecord r;
    r.vcenter = vm.vcenter;
    r.vcenter_uuid = vm.vcenter_uuid;
    r.vm_id = vm.vm_id;
    r.instance_uuid = vm.instance_uuid;
    r.bios_uuid = vm.bios_uuid;
    r.name = vm.name;
    r.datacenter = vm.datacenter;
    r.cluster = vm.cluster;
    r.host = vm.host;
    r.resource_pool = vm.resource_pool;
    r.folder = vm.folder;
    r.tenant = vm.tenant;
    r.vcpu_count = vm.vcpu_count;
    r.ram_mb = vm.ram_mb;
    r.disk_gb = vm.disk_gb;
    r.power_state = vm.power_state;
    r.is_template = vm.is_template;
    r.srm_placeholder = vm.srm_placeholder;
    r.guest_os = vm.guest_os;
    r.creation_time = vm.creation_time;
    r.first_seen = seen_at;
    r.last_seen = seen_at;
    records.push_back(std::move(r));
  }
  return records;
}

}  // namespace vctp::collector

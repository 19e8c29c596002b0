#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vctp/core/vm_record.hpp"
#include "vctp/vsphere/managed_object.hpp"

namespace vctp::vsphere {

/// One VM as resolved from vCenter: the record every part of vctp shares, plus what only
/// the resolution knows.
struct VmRecord : core::VmRecord {
  /// The pool's path from the root pool, e.g. "Resources/prod/web" ("Resources" for the root).
  std::string resource_pool_path;

  friend bool operator==(const VmRecord&, const VmRecord&) = default;
};

/// One host (the columns of snap_hosts_*).
struct HostRecord {
  std::string vcenter;
  std::string vcenter_uuid;
  std::string host_id;  ///< moref value, e.g. "host-21"
  std::string name;
  std::string datacenter;
  std::string cluster;  ///< empty for a standalone host
  std::int32_t cpu_cores = 0;
  std::int64_t memory_mb = 0;
  std::string power_state;       ///< runtime.powerState (poweredOn, poweredOff, standBy, unknown)
  std::string connection_state;  ///< runtime.connectionState (connected, disconnected, notResponding)

  friend bool operator==(const HostRecord&, const HostRecord&) = default;
};

/// What one vCenter holds, resolved into rows.
struct Inventory {
  std::string vcenter;
  std::string vcenter_uuid;
  std::vector<VmRecord> vms;
  std::vector<HostRecord> hosts;
  /// Objects that could not be resolved fully (e.g. a VM without config.instanceUuid), one
  /// sentence each; their rows are still in `vms` with what is known.
  std::vector<std::string> warnings;
};

/// How raw objects become rows.
struct ResolveOptions {
  std::string vcenter;       ///< label written into every row
  std::string vcenter_uuid;  ///< about.instanceUuid
  /// Which folder level under the datacenter's VM folder names the tenant (1 = the first).
  int tenant_folder_level = 1;
};

/// The object types and properties an inventory snapshot reads, in one container view.
const std::vector<PropertySpec>& inventory_property_specs();

/// Resolves raw objects (VMs, hosts, clusters, compute resources, pools, folders, datacenters)
/// into rows: placement by walking parents, pool paths, folder paths and tenants. No I/O.
/// Rows come out sorted by moref value.
Inventory resolve_inventory(const std::vector<ManagedObject>& objects, const ResolveOptions& options);

}  // namespace vctp::vsphere

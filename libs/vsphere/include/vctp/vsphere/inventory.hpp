#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vctp/vsphere/managed_object.hpp"

namespace vctp::vsphere {

/// One VM as a snapshot row sees it (the columns of snap_hourly_*).
struct VmRecord {
  std::string vcenter;        ///< the vCenter's label (host[:port] of its SDK URL)
  std::string vcenter_uuid;   ///< about.instanceUuid of the vCenter
  std::string vm_id;          ///< moref value, e.g. "vm-42"
  std::string instance_uuid;  ///< config.instanceUuid: with vcenter_uuid, the VM's identity
  std::string bios_uuid;      ///< config.uuid
  std::string name;
  std::string datacenter;
  std::string cluster;  ///< empty for a VM on a standalone host
  std::string host;     ///< empty when the VM has no host (e.g. some templates)
  /// The resource pool's own name; the cluster's (or host's) root pool is reported as
  /// "Resources", its vSphere name. Empty when the VM has no pool (templates).
  std::string resource_pool;
  /// The pool's path from the root pool, e.g. "Resources/prod/web" ("Resources" for the root).
  std::string resource_pool_path;
  /// The folder path under the datacenter's VM folder, e.g. "/tenantA/app"; "/" at the top.
  std::string folder;
  /// The folder at the tenant level under the VM folder ("tenantA"); empty above that level.
  std::string tenant;
  std::int32_t vcpu_count = 0;
  std::int64_t ram_mb = 0;
  double disk_gb = 0;        ///< (summary.storage.committed + uncommitted) / 2^30
  std::string power_state;   ///< poweredOn, poweredOff or suspended
  bool is_template = false;
  bool srm_placeholder = false;  ///< config.managedBy is com.vmware.vcDr / placeholderVm
  std::string guest_os;          ///< config.guestFullName
  std::optional<std::chrono::system_clock::time_point> creation_time;  ///< config.createDate

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

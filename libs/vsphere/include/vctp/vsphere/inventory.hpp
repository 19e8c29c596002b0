#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vctp/core/host_record.hpp"
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

/// One host: the record the snapshot rows share (vctp/core/host_record.hpp).
using HostRecord = core::HostRecord;

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

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace vctp::core {

/// One VM as vctp records it: what the collector resolves from vCenter, what a row of
/// snap_hourly_* and of the inventory table holds, and what the reports show. Declared once;
/// the store's column table (vctp/store/vm_columns.hpp) maps each field to its column.
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
  /// The folder path under the datacenter's VM folder, e.g. "/tenantA/app"; "/" at the top.
  std::string folder;
  /// The folder at the tenant level under the VM folder ("tenantA"); empty above that level.
  std::string tenant;
  std::int64_t vcpu_count = 0;
  std::int64_t ram_mb = 0;
  double disk_gb = 0;       ///< (summary.storage.committed + uncommitted) / 2^30
  std::string power_state;  ///< poweredOn, poweredOff or suspended
  bool is_template = false;
  bool srm_placeholder = false;  ///< config.managedBy is com.vmware.vcDr / placeholderVm
  std::string guest_os;          ///< config.guestFullName
  std::optional<std::chrono::system_clock::time_point> creation_time;  ///< config.createDate

  friend bool operator==(const VmRecord&, const VmRecord&) = default;
};

}  // namespace vctp::core

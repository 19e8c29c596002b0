#pragma once

#include <cstdint>
#include <string>

namespace vctp::core {

/// One ESXi host as vctp records it: what the collector resolves from vCenter and what a row
/// of snap_hosts_* holds. Declared once; the store's column table maps each field to its column.
struct HostRecord {
  std::string vcenter;       ///< the vCenter's label (host[:port] of its SDK URL)
  std::string vcenter_uuid;  ///< about.instanceUuid of the vCenter
  std::string host_id;       ///< moref value, e.g. "host-21"
  std::string name;
  std::string datacenter;
  std::string cluster;            ///< empty for a standalone host
  std::int64_t cpu_cores = 0;     ///< summary.hardware.numCpuCores
  std::int64_t cpu_mhz = 0;       ///< summary.hardware.cpuMhz (per core)
  std::int64_t ram_mb = 0;        ///< summary.hardware.memorySize / 2^20
  std::string power_state;        ///< runtime.powerState (poweredOn, poweredOff, standBy, unknown)
  std::string connection_state;   ///< runtime.connectionState (connected, disconnected, notResponding)
  bool in_maintenance = false;    ///< runtime.inMaintenanceMode

  friend bool operator==(const HostRecord&, const HostRecord&) = default;
};

}  // namespace vctp::core

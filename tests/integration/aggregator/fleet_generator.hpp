#pragma once

#include <chrono>
#include <cstdint>

#include "vctp/store/database.hpp"

namespace vctp::test {

/// A deterministic synthetic fleet: two vCenters, tenants (one filtered by "internal-*"),
/// a node-charge cluster ("gpu-*"), VMs that move between pools, change size, power off,
/// are created (10:30, in the inventory) or deleted (15:15, in vm_events) during the period,
/// templates, SRM placeholders ("srm-aa-*" active/active), a missed snapshot of vc2, and hosts.
struct FleetOptions {
  int vms = 1000;
  std::chrono::sys_days first_day{};
  int days = 30;
  bool write_hosts = true;
};

/// Writes the fleet's hourly VM and host tables through the store's bulk write path, plus its
/// inventory and vm_events rows.
void write_fleet(store::Database& db, const FleetOptions& options);

}  // namespace vctp::test

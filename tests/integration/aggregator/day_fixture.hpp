#pragma once

#include <chrono>
#include <string>

#include "vctp/core/time_format.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/inventory.hpp"
#include "vctp/store/snapshot_writer.hpp"

namespace vctp::test {

inline std::chrono::system_clock::time_point at(const std::string& iso) {
  return *core::parse_iso8601(iso);
}

/// A VM row with defaults, adjusted by the fixtures.
store::HourlyVmRow vm_row(const std::string& name, const std::string& vcenter = "vc1");

/// The inventory row of `r`'s VM: its identity, `created` as its creation time, seen from
/// `first_seen` to `last_seen`.
store::InventoryRecord inventory_of(const store::HourlyVmRow& r,
                                    std::optional<std::chrono::system_clock::time_point> created,
                                    std::chrono::system_clock::time_point first_seen,
                                    std::chrono::system_clock::time_point last_seen);

/// A vm_events row of `type` about `r`'s VM at `when`.
store::VmEvent event_of(const store::HourlyVmRow& r, std::int64_t key, const std::string& type,
                        std::chrono::system_clock::time_point when);

/// Writes the hand-computed fixture day 2026-11-24 (see the test for every VM and its numbers)
/// through the store's bulk write path, with vm_events and inventory rows.
void write_fixture_day(store::Database& db);

/// Writes 2026-11-23: vm-grow present all day with 8 vCPUs (for the monthly roll-up).
void write_fixture_previous_day(store::Database& db);

}  // namespace vctp::test

#pragma once

#include <chrono>
#include <string>

#include "vctp/core/time_format.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/snapshot_writer.hpp"

namespace vctp::test {

inline std::chrono::system_clock::time_point at(const std::string& iso) {
  return *core::parse_iso8601(iso);
}

/// A VM row with defaults, adjusted by the fixtures.
store::HourlyVmRow vm_row(const std::string& name, const std::string& vcenter = "vc1");

/// Writes the hand-computed fixture day 2026-11-24 (see the test for every VM and its numbers)
/// through the store's bulk write path, with vm_events and inventory rows.
void write_fixture_day(store::Database& db);

/// Writes 2026-11-23: vm-grow present all day with 8 vCPUs (for the monthly roll-up).
void write_fixture_previous_day(store::Database& db);

}  // namespace vctp::test

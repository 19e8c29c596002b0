#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vctp::vsphere {

/// The VM lifecycle events the collector records.
const std::vector<std::string>& lifecycle_event_types();

/// One event about a VM.
struct VmEvent {
  std::int64_t key = 0;  ///< the vCenter's event key: increases with every event
  std::string type;      ///< e.g. "VmCreatedEvent" (the event's xsi:type)
  std::chrono::system_clock::time_point created_time;
  std::string vm_id;  ///< moref value of the VM ("vm-42"); empty if the event names none
  std::string vm_name;
  std::string datacenter;
  std::string host;
  std::string user_name;
};

/// Which events to read. A checkpoint is (created_time, key) of the last event processed: pass
/// `begin` = its time minus a margin (events posted concurrently may carry slightly older times;
/// a few minutes is plenty) and `after_key` = its key, to read every newer event exactly once.
struct EventQuery {
  std::vector<std::string> types = lifecycle_event_types();
  std::optional<std::chrono::system_clock::time_point> begin;  ///< inclusive, to the second
  std::optional<std::chrono::system_clock::time_point> end;    ///< inclusive, to the second
  std::int64_t after_key = 0;  ///< drop events whose key is <= this
  int page_size = 500;         ///< events per ReadNextEvents call
  /// EventFilterSpec.maxCount; 0 leaves it unset. (govmomi's simulator needs it to return more
  /// than 10 events per collector; it accepts at most 1000.)
  int filter_max_count = 0;
};

}  // namespace vctp::vsphere

#pragma once

#include <vector>

#include "vctp/core/vm_record.hpp"
#include "vctp/store/columns.hpp"

namespace vctp::store {

/// The columns that hold a core::VmRecord, in table order: the VM part of every snap_hourly_*
/// table (after snapshot_time) and of the inventory table (before its lifecycle columns).
const std::vector<Column<core::VmRecord>>& vm_columns();

}  // namespace vctp::store

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vctp/core/clock.hpp"
#include "vctp/core/host_record.hpp"
#include "vctp/core/vm_record.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/snapshot_registry.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::store {

/// One VM in an hourly snapshot (a row of snap_hourly_YYYYMMDDHH): the shared VM record
/// (columns in vm_columns()) and the hour it was taken.
struct HourlyVmRow : core::VmRecord {
  std::chrono::system_clock::time_point snapshot_time;
};

/// One ESXi host in an hourly host snapshot (a row of snap_hosts_YYYYMMDDHH).
struct HostRow : core::HostRecord {
  std::chrono::system_clock::time_point snapshot_time;
};

/// Column names of the two snapshot tables, in table order.
const std::vector<std::string>& hourly_vm_columns();
const std::vector<std::string>& host_columns();

/// What a snapshot write did.
struct SnapshotWriteResult {
  std::int64_t rows = 0;
  std::chrono::milliseconds duration{0};
};

/// Produces the rows of a streamed snapshot: fills the row (handed over default-constructed)
/// and returns true, or returns false at the end. Called inside the write transaction (keep it free of other database work).
template <typename RowT>
using RowSource = std::function<bool(RowT& row)>;

/// The bulk write path of the collector: creates a snapshot table, fills it and registers it
/// in ONE transaction, so a crash or error leaves nothing registered and no half table.
///
/// With a vcenter, the hour's table is shared by all vCenters: it is created if missing, that
/// vCenter's earlier rows are deleted, its rows inserted and (kind, table, vcenter) registered:
/// a retry replaces the earlier attempt and leaves other vCenters' rows alone. Every row's
/// `vcenter` must be that vCenter. Without a vcenter the whole table is dropped and recreated.
class SnapshotWriter {
 public:
  SnapshotWriter(Database& db, const core::Clock& clock);
  explicit SnapshotWriter(Database& db);

  SnapshotWriteResult write_vms(const TableName& table, const std::optional<std::string>& vcenter,
                                const std::vector<HourlyVmRow>& rows);
  SnapshotWriteResult write_vms(const TableName& table, const std::optional<std::string>& vcenter,
                                const RowSource<HourlyVmRow>& source);
  SnapshotWriteResult write_hosts(const TableName& table,
                                  const std::optional<std::string>& vcenter,
                                  const std::vector<HostRow>& rows);
  SnapshotWriteResult write_hosts(const TableName& table,
                                  const std::optional<std::string>& vcenter,
                                  const RowSource<HostRow>& source);

  /// Registers a failed snapshot of `vcenter` (no rows written). An ok registration of the same
  /// table and vCenter is kept: its rows are still complete.
  void record_failure(const TableName& table, const std::string& vcenter, const std::string& error,
                      std::chrono::milliseconds duration);

 private:
  Database& db_;
  const core::Clock& clock_;
};

}  // namespace vctp::store

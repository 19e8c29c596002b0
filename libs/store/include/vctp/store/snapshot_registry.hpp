#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vctp/core/clock.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::store {

enum class SnapshotStatus { kOk, kFailed };
std::string_view to_string(SnapshotStatus status);

/// What the registry knows of one table, or of one vCenter's part of an hourly table: each
/// vCenter's hourly snapshot is registered on its own (vcenter set), summaries and whole-table
/// writes with vcenter empty. The key is (kind, table_name, vcenter): registering again
/// replaces the earlier entry.
struct SnapshotRecord {
  SnapshotKind kind = SnapshotKind::kHourly;
  std::string table_name;
  std::optional<std::string> vcenter;
  std::chrono::system_clock::time_point period_start;
  std::chrono::system_clock::time_point period_end;
  std::int64_t row_count = 0;
  SnapshotStatus status = SnapshotStatus::kOk;
  /// Why a failed snapshot failed (empty for ok ones).
  std::optional<std::string> error;
  std::chrono::system_clock::time_point created_at;
  std::chrono::milliseconds duration{0};
};

/// What the caller states when registering a table; the period comes from the table name.
struct Registration {
  TableName table;
  std::optional<std::string> vcenter;
  std::int64_t row_count = 0;
  SnapshotStatus status = SnapshotStatus::kOk;
  std::optional<std::string> error;
  std::chrono::milliseconds duration{0};
};

/// Filters of SnapshotRegistry::list. `from`/`to` bound period_start (from inclusive, to
/// exclusive). Results are newest period first; pass the previous page's next_cursor to go on.
struct SnapshotFilter {
  std::optional<SnapshotKind> kind;
  std::optional<std::chrono::system_clock::time_point> from;
  std::optional<std::chrono::system_clock::time_point> to;
  std::optional<std::string> vcenter;
  std::optional<SnapshotStatus> status;
  std::size_t limit = 100;
  std::optional<std::string> cursor;
};

struct SnapshotPage {
  std::vector<SnapshotRecord> records;
  /// Set when more records follow.
  std::optional<std::string> next_cursor;
};

/// The snapshot_registry table: every snapshot and summary table, registered in the same
/// transaction that fills it, so readers never see half a snapshot.
class SnapshotRegistry {
 public:
  /// `clock` stamps created_at; both must outlive the registry.
  SnapshotRegistry(Database& db, const core::Clock& clock);
  explicit SnapshotRegistry(Database& db);

  /// Registers (or re-registers) inside the caller's transaction.
  void record(Transaction& tx, const Registration& registration) const;
  /// Registers in a transaction of its own.
  void record(const Registration& registration);

  /// Every entry of `kind` whose period_start is in [from, to), ok and failed, oldest first.
  std::vector<SnapshotRecord> find(Transaction& tx, SnapshotKind kind,
                                   std::chrono::system_clock::time_point from,
                                   std::chrono::system_clock::time_point to) const;
  std::vector<SnapshotRecord> find(SnapshotKind kind, std::chrono::system_clock::time_point from,
                                   std::chrono::system_clock::time_point to);

  /// The tables of `kind` whose period starts in [from, to) and that hold at least one ok
  /// snapshot, oldest first. When the registry has nothing at all for that range, scans the
  /// catalogue for matching tables, registers them (rows counted, vcenter empty) and logs it.
  std::vector<TableName> tables_for_period(Transaction& tx, SnapshotKind kind,
                                           std::chrono::system_clock::time_point from,
                                           std::chrono::system_clock::time_point to) const;
  std::vector<TableName> tables_for_period(SnapshotKind kind,
                                           std::chrono::system_clock::time_point from,
                                           std::chrono::system_clock::time_point to);

  /// The fallback on its own: registers the unregistered tables of `kind` in [from, to) found
  /// in the catalogue; returns what it registered.
  std::vector<TableName> scan_catalogue(Transaction& tx, SnapshotKind kind,
                                        std::chrono::system_clock::time_point from,
                                        std::chrono::system_clock::time_point to) const;

  /// A page of entries, newest period first.
  SnapshotPage list(const SnapshotFilter& filter);

  /// Removes every entry of `table` (all vCenters); returns how many. The table itself is
  /// left alone: see drop_snapshot_table.
  std::int64_t unregister(Transaction& tx, const TableName& table) const;
  std::int64_t unregister(const TableName& table);

 private:
  Database& db_;
  const core::Clock& clock_;
};

/// Drops `table` if it exists and unregisters it, inside the caller's transaction. Takes the
/// table's lock (Transaction::lock) first, so that two services regenerating the same table
/// one after the other do not trip over each other: the aggregator replaces a summary with
/// drop_snapshot_table + CREATE TABLE ... + SnapshotRegistry::record in one transaction.
void drop_snapshot_table(Transaction& tx, const TableName& table);

}  // namespace vctp::store

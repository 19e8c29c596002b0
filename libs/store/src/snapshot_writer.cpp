#include "vctp/store/snapshot_writer.hpp"

#include "vctp/core/logging.hpp"
#include "vctp/store/columns.hpp"
#include "vctp/store/vm_columns.hpp"

namespace vctp::store {

namespace {

const core::SystemClock kSystemClock;

const std::vector<Column<HostRow>>& host_table() {
  using R = HostRow;
  static const std::vector<Column<R>> columns{
      {"snapshot_time", &R::snapshot_time, true},
      {"vcenter", &R::vcenter, true},
      {"vcenter_uuid", &R::vcenter_uuid, true},
      {"host_id", &R::host_id, true},
      {"name", &R::name},
      {"datacenter", &R::datacenter},
      {"cluster", &R::cluster},
      {"cpu_cores", &R::cpu_cores},
      {"cpu_mhz", &R::cpu_mhz},
      {"ram_mb", &R::ram_mb},
      {"power_state", &R::power_state},
      {"connection_state", &R::connection_state},
      {"in_maintenance", &R::in_maintenance, true},
  };
  return columns;
}

/// What each table of a snapshot kind holds: its columns in order, and how a row becomes values.
template <typename RowT>
struct TableLayout;

/// snap_hourly_*: snapshot_time, then the VM record's columns.
template <>
struct TableLayout<HourlyVmRow> {
  static constexpr SnapshotKind kKind = SnapshotKind::kHourly;
  static constexpr ColumnSpec kTime{"snapshot_time", ColumnType::kTime, true};

  static const std::vector<ColumnSpec>& specs() {
    static const auto out = [] {
      std::vector<ColumnSpec> s{kTime};
      for (const auto& c : vm_columns()) s.push_back(c.spec());
      return s;
    }();
    return out;
  }
  /// Gives the row's fields to `out`, its strings moved (the source refills the row for the
  /// next one).
  static void take_into(HourlyVmRow& r, BulkRow& out) {
    out.time(r.snapshot_time);
    for (const auto& c : vm_columns()) c.take_into(r, out);
  }
};

/// snap_hosts_*: the host row's columns.
template <>
struct TableLayout<HostRow> {
  static constexpr SnapshotKind kKind = SnapshotKind::kHosts;

  static const std::vector<ColumnSpec>& specs() {
    static const auto out = store::specs(host_table());
    return out;
  }
  static void take_into(HostRow& r, BulkRow& out) {
    for (const auto& c : host_table()) c.take_into(r, out);
  }
};

template <typename RowT>
const std::vector<std::string>& column_names() {
  static const auto out = [] {
    std::vector<std::string> names;
    for (const auto& c : TableLayout<RowT>::specs()) names.emplace_back(c.name);
    return names;
  }();
  return out;
}

template <typename RowT>
SnapshotWriteResult write(Database& db, const core::Clock& clock, const TableName& table,
                          const std::optional<std::string>& vcenter,
                          const std::function<bool(RowT&, bool restart)>& next, bool replayable) {
  using Layout = TableLayout<RowT>;
  const SnapshotKind expected_kind = Layout::kKind;
  if (table.kind() != expected_kind) {
    throw StoreError("snapshot write: " + table.str() + " is not a " + std::string(to_string(expected_kind)) +
                     " table");
  }
  if (vcenter && vcenter->empty()) throw StoreError("snapshot write: empty vcenter name");
  const SnapshotRegistry registry(db, clock);
  const auto started = std::chrono::steady_clock::now();
  bool attempted = false;
  SnapshotWriteResult result;
  db.transact([&](Transaction& tx) {
    if (attempted && !replayable) {
      throw StoreError("snapshot write of " + table.str() +
                       ": a streamed snapshot cannot be replayed after a transient failure; "
                       "take the snapshot again");
    }
    const bool restart = attempted;
    attempted = true;
    const auto& d = tx.dialect();
    const auto quoted = d.quote_identifier(table.str());
    // Writers of the same table (several vCenters of one hour) go one at a time.
    tx.lock(table.str());
    if (vcenter) {
      tx.execute(create_table_sql(d, table.str(), Layout::specs(), true));
      tx.execute("DELETE FROM " + quoted + " WHERE vcenter = $1", {*vcenter});
    } else {
      tx.execute("DROP TABLE IF EXISTS " + quoted);
      tx.execute(create_table_sql(d, table.str(), Layout::specs(), false));
      registry.unregister(tx, table);
    }
    auto insert = tx.typed_bulk_insert(table.str(), Layout::specs());
    RowT row;
    bool first = true;
    // Each row starts from defaults: take_into moved the previous one's strings away.
    while ((row = RowT{}, next(row, first && restart))) {
      first = false;
      if (vcenter && row.vcenter != *vcenter) {
        throw StoreError("snapshot write of " + table.str() + " for vCenter " + *vcenter +
                         ": a row belongs to vCenter '" + row.vcenter + "'");
      }
      Layout::take_into(row, insert->begin_row());
      insert->end_row();
    }
    result.rows = insert->finish();
    insert.reset();
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    registry.record(tx, Registration{table, vcenter, result.rows, SnapshotStatus::kOk, std::nullopt, result.duration});
  });
  core::log_info("snapshot written", {{"table", table.str()},
                                      {"vcenter", vcenter.value_or("")},
                                      {"rows", std::to_string(result.rows)},
                                      {"duration_ms", std::to_string(result.duration.count())}});
  return result;
}

template <typename RowT>
std::function<bool(RowT&, bool)> from_vector(const std::vector<RowT>& rows) {
  auto index = std::make_shared<std::size_t>(0);
  return [&rows, index](RowT& row, bool restart) {
    if (restart) *index = 0;
    if (*index >= rows.size()) return false;
    row = rows[(*index)++];
    return true;
  };
}

template <typename RowT>
std::function<bool(RowT&, bool)> from_source(const RowSource<RowT>& source) {
  return [&source](RowT& row, bool) { return source(row); };
}

}  // namespace

const std::vector<std::string>& hourly_vm_columns() { return column_names<HourlyVmRow>(); }

const std::vector<std::string>& host_columns() { return column_names<HostRow>(); }

SnapshotWriter::SnapshotWriter(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
SnapshotWriter::SnapshotWriter(Database& db) : SnapshotWriter(db, kSystemClock) {}

SnapshotWriteResult SnapshotWriter::write_vms(const TableName& table, const std::optional<std::string>& vcenter,
                                              const std::vector<HourlyVmRow>& rows) {
  return write<HourlyVmRow>(db_, clock_, table, vcenter, from_vector(rows), true);
}

SnapshotWriteResult SnapshotWriter::write_vms(const TableName& table, const std::optional<std::string>& vcenter,
                                              const RowSource<HourlyVmRow>& source) {
  return write<HourlyVmRow>(db_, clock_, table, vcenter, from_source(source), false);
}

SnapshotWriteResult SnapshotWriter::write_hosts(const TableName& table, const std::optional<std::string>& vcenter,
                                                const std::vector<HostRow>& rows) {
  return write<HostRow>(db_, clock_, table, vcenter, from_vector(rows), true);
}

SnapshotWriteResult SnapshotWriter::write_hosts(const TableName& table, const std::optional<std::string>& vcenter,
                                                const RowSource<HostRow>& source) {
  return write<HostRow>(db_, clock_, table, vcenter, from_source(source), false);
}

void SnapshotWriter::record_failure(const TableName& table, const std::string& vcenter, const std::string& error,
                                    std::chrono::milliseconds duration) {
  const SnapshotRegistry registry(db_, clock_);
  db_.transact([&](Transaction& tx) {
    const auto existing =
        tx.query("SELECT status FROM snapshot_registry WHERE kind = $1 AND table_name = $2 AND vcenter = $3",
                 {std::string(to_string(table.kind())), table.str(), vcenter});
    if (!existing.empty() && existing[0].get_text(0) == "ok") {
      core::log_warn("snapshot failed but an earlier complete snapshot is kept",
                     {{"table", table.str()}, {"vcenter", vcenter}, {"error", error}});
      return;
    }
    registry.record(tx, Registration{table, vcenter, 0, SnapshotStatus::kFailed, error, duration});
  });
  core::log_warn("snapshot failure recorded", {{"table", table.str()}, {"vcenter", vcenter}, {"error", error}});
}

}  // namespace vctp::store

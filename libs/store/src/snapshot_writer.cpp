#include "vctp/store/snapshot_writer.hpp"

#include "vctp/core/logging.hpp"

namespace vctp::store {

namespace {

const core::SystemClock kSystemClock;

struct ColumnDef {
  const char* name;
  enum Type { kTime, kText, kInt, kReal, kBool } type;
  bool not_null;
};

const std::vector<ColumnDef>& vm_defs() {
  static const std::vector<ColumnDef> defs{
      {"snapshot_time", ColumnDef::kTime, true}, {"vcenter", ColumnDef::kText, true},
      {"vcenter_uuid", ColumnDef::kText, true},  {"vm_id", ColumnDef::kText, true},
      {"instance_uuid", ColumnDef::kText, false}, {"bios_uuid", ColumnDef::kText, false},
      {"name", ColumnDef::kText, false},          {"datacenter", ColumnDef::kText, false},
      {"cluster", ColumnDef::kText, false},       {"host", ColumnDef::kText, false},
      {"resource_pool", ColumnDef::kText, false}, {"folder", ColumnDef::kText, false},
      {"tenant", ColumnDef::kText, false},        {"vcpu_count", ColumnDef::kInt, false},
      {"ram_mb", ColumnDef::kInt, false},         {"disk_gb", ColumnDef::kReal, false},
      {"power_state", ColumnDef::kText, false},   {"is_template", ColumnDef::kBool, true},
      {"srm_placeholder", ColumnDef::kBool, true}, {"guest_os", ColumnDef::kText, false},
      {"creation_time", ColumnDef::kTime, false},
  };
  return defs;
}

const std::vector<ColumnDef>& host_defs() {
  static const std::vector<ColumnDef> defs{
      {"snapshot_time", ColumnDef::kTime, true},   {"vcenter", ColumnDef::kText, true},
      {"vcenter_uuid", ColumnDef::kText, true},    {"host_id", ColumnDef::kText, true},
      {"name", ColumnDef::kText, false},           {"datacenter", ColumnDef::kText, false},
      {"cluster", ColumnDef::kText, false},        {"cpu_cores", ColumnDef::kInt, false},
      {"cpu_mhz", ColumnDef::kInt, false},         {"ram_mb", ColumnDef::kInt, false},
      {"power_state", ColumnDef::kText, false},    {"connection_state", ColumnDef::kText, false},
      {"in_maintenance", ColumnDef::kBool, true},
  };
  return defs;
}

std::vector<std::string> names(const std::vector<ColumnDef>& defs) {
  std::vector<std::string> out;
  for (const auto& d : defs) out.emplace_back(d.name);
  return out;
}

std::string create_sql(const Dialect& d, const TableName& table,
                       const std::vector<ColumnDef>& defs, bool if_not_exists) {
  std::string sql = std::string("CREATE TABLE ") + (if_not_exists ? "IF NOT EXISTS " : "") +
                    d.quote_identifier(table.str()) + " (";
  for (std::size_t i = 0; i < defs.size(); ++i) {
    if (i) sql += ", ";
    sql += defs[i].name;
    sql += ' ';
    switch (defs[i].type) {
      case ColumnDef::kTime: sql += d.timestamp_type(); break;
      case ColumnDef::kText: sql += d.text_type(); break;
      case ColumnDef::kInt: sql += d.integer_type(); break;
      case ColumnDef::kReal: sql += d.real_type(); break;
      case ColumnDef::kBool: sql += d.boolean_type(); break;
    }
    if (defs[i].not_null) sql += " NOT NULL";
  }
  return sql + ")";
}

/// Moves the row's strings into `v` (the source refills the row for the next one).
void to_values(HourlyVmRow& r, std::vector<Value>& v) {
  v.clear();
  v.push_back(time_value(r.snapshot_time));
  v.emplace_back(std::move(r.vcenter));
  v.emplace_back(std::move(r.vcenter_uuid));
  v.emplace_back(std::move(r.vm_id));
  v.emplace_back(std::move(r.instance_uuid));
  v.emplace_back(std::move(r.bios_uuid));
  v.emplace_back(std::move(r.name));
  v.emplace_back(std::move(r.datacenter));
  v.emplace_back(std::move(r.cluster));
  v.emplace_back(std::move(r.host));
  v.emplace_back(std::move(r.resource_pool));
  v.emplace_back(std::move(r.folder));
  v.emplace_back(std::move(r.tenant));
  v.emplace_back(r.vcpu_count);
  v.emplace_back(r.ram_mb);
  v.emplace_back(r.disk_gb);
  v.emplace_back(std::move(r.power_state));
  v.push_back(bool_value(r.is_template));
  v.push_back(bool_value(r.srm_placeholder));
  v.emplace_back(std::move(r.guest_os));
  v.push_back(time_value(r.creation_time));
}

void to_values(HostRow& r, std::vector<Value>& v) {
  v.clear();
  v.push_back(time_value(r.snapshot_time));
  v.emplace_back(std::move(r.vcenter));
  v.emplace_back(std::move(r.vcenter_uuid));
  v.emplace_back(std::move(r.host_id));
  v.emplace_back(std::move(r.name));
  v.emplace_back(std::move(r.datacenter));
  v.emplace_back(std::move(r.cluster));
  v.emplace_back(r.cpu_cores);
  v.emplace_back(r.cpu_mhz);
  v.emplace_back(r.ram_mb);
  v.emplace_back(std::move(r.power_state));
  v.emplace_back(std::move(r.connection_state));
  v.push_back(bool_value(r.in_maintenance));
}

template <typename RowT>
SnapshotWriteResult write(Database& db, const core::Clock& clock, const TableName& table,
                          const std::optional<std::string>& vcenter, SnapshotKind expected_kind,
                          const std::vector<ColumnDef>& defs,
                          const std::function<bool(RowT&, bool restart)>& next, bool replayable) {
  if (table.kind() != expected_kind) {
    throw StoreError("snapshot write: " + table.str() + " is not a " +
                     std::string(to_string(expected_kind)) + " table");
  }
  if (vcenter && vcenter->empty()) throw StoreError("snapshot write: empty vcenter name");
  const auto columns = names(defs);
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
      tx.execute(create_sql(d, table, defs, true));
      tx.execute("DELETE FROM " + quoted + " WHERE vcenter = $1", {*vcenter});
    } else {
      tx.execute("DROP TABLE IF EXISTS " + quoted);
      tx.execute(create_sql(d, table, defs, false));
      registry.unregister(tx, table);
    }
    auto insert = tx.bulk_insert(table.str(), columns);
    RowT row;
    std::vector<Value> values;
    values.reserve(defs.size());
    bool first = true;
    // Each row starts from defaults: to_values moved the previous one's strings away.
    while ((row = RowT{}, next(row, first && restart))) {
      first = false;
      if (vcenter && row.vcenter != *vcenter) {
        throw StoreError("snapshot write of " + table.str() + " for vCenter " + *vcenter +
                         ": a row belongs to vCenter '" + row.vcenter + "'");
      }
      to_values(row, values);
      insert->add_row(values);
    }
    result.rows = insert->finish();
    insert.reset();
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    registry.record(tx, Registration{table, vcenter, result.rows, SnapshotStatus::kOk,
                                     std::nullopt, result.duration});
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

const std::vector<std::string>& hourly_vm_columns() {
  static const auto columns = names(vm_defs());
  return columns;
}

const std::vector<std::string>& host_columns() {
  static const auto columns = names(host_defs());
  return columns;
}

SnapshotWriter::SnapshotWriter(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
SnapshotWriter::SnapshotWriter(Database& db) : SnapshotWriter(db, kSystemClock) {}

SnapshotWriteResult SnapshotWriter::write_vms(const TableName& table,
                                              const std::optional<std::string>& vcenter,
                                              const std::vector<HourlyVmRow>& rows) {
  return write<HourlyVmRow>(db_, clock_, table, vcenter, SnapshotKind::kHourly, vm_defs(),
                            from_vector(rows), true);
}

SnapshotWriteResult SnapshotWriter::write_vms(const TableName& table,
                                              const std::optional<std::string>& vcenter,
                                              const RowSource<HourlyVmRow>& source) {
  return write<HourlyVmRow>(db_, clock_, table, vcenter, SnapshotKind::kHourly, vm_defs(),
                            from_source(source), false);
}

SnapshotWriteResult SnapshotWriter::write_hosts(const TableName& table,
                                                const std::optional<std::string>& vcenter,
                                                const std::vector<HostRow>& rows) {
  return write<HostRow>(db_, clock_, table, vcenter, SnapshotKind::kHosts, host_defs(),
                        from_vector(rows), true);
}

SnapshotWriteResult SnapshotWriter::write_hosts(const TableName& table,
                                                const std::optional<std::string>& vcenter,
                                                const RowSource<HostRow>& source) {
  return write<HostRow>(db_, clock_, table, vcenter, SnapshotKind::kHosts, host_defs(),
                        from_source(source), false);
}

void SnapshotWriter::record_failure(const TableName& table, const std::string& vcenter,
                                    const std::string& error, std::chrono::milliseconds duration) {
  const SnapshotRegistry registry(db_, clock_);
  db_.transact([&](Transaction& tx) {
    const auto existing = tx.query(
        "SELECT status FROM snapshot_registry WHERE kind = $1 AND table_name = $2 AND vcenter = $3",
        {std::string(to_string(table.kind())), table.str(), vcenter});
    if (!existing.empty() && existing[0].get_text(0) == "ok") {
      core::log_warn("snapshot failed but an earlier complete snapshot is kept",
                     {{"table", table.str()}, {"vcenter", vcenter}, {"error", error}});
      return;
    }
    registry.record(tx, Registration{table, vcenter, 0, SnapshotStatus::kFailed, error, duration});
  });
  core::log_warn("snapshot failure recorded",
                 {{"table", table.str()}, {"vcenter", vcenter}, {"error", error}});
}

}  // namespace vctp::store

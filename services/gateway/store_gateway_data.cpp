#include "store_gateway_data.hpp"

#include <map>

#include "vctp/core/time_format.hpp"
#include "vctp/http/error.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/snapshot_registry.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::gateway {

using http::ApiError;
using http::ErrorCode;

namespace {

using nlohmann::json;
using namespace std::chrono;

json to_json_value(const store::Value& v) {
  if (std::holds_alternative<std::int64_t>(v)) return std::get<std::int64_t>(v);
  if (std::holds_alternative<double>(v)) return std::get<double>(v);
  if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
  return nullptr;
}

Table to_table(const store::ResultSet& rs) {
  Table t;
  t.columns = rs.columns;
  for (const auto& row : rs) {
    std::vector<json> values;
    values.reserve(row.size());
    for (const auto& v : row.values()) values.push_back(to_json_value(v));
    t.rows.push_back(std::move(values));
  }
  return t;
}

/// Runs `body`, turning database failures into API errors.
template <typename F>
auto guarded(F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const store::StoreError& e) {
    if (e.retryable()) throw ApiError(ErrorCode::kUnavailable, std::string("database busy or unreachable: ") + e.what());
    throw;
  }
}

std::string like_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out + "%";
}

std::optional<Table> whole_table(store::Database& db, const store::TableName& name) {
  if (!db.table_exists(name.str())) return std::nullopt;
  return to_table(db.query("SELECT * FROM " + db.dialect().quote_identifier(name.str()) + " ORDER BY tenant, name"));
}

}  // namespace

void StoreGatewayData::check_ready() {
  try {
    db_.ping();
  } catch (const std::exception& e) {
    throw ApiError(ErrorCode::kUnavailable, e.what());
  }
}

std::vector<VcenterOverview> StoreGatewayData::vcenters(TimePoint now) {
  return guarded([&] {
    std::map<std::string, VcenterOverview> by_name;
    const auto& d = db_.dialect();
    const auto last = db_.query(
        "SELECT r.vcenter, r.table_name, r.period_start, r.row_count, r.status, r.error "
        "FROM snapshot_registry r JOIN (SELECT vcenter, MAX(period_start) AS p FROM snapshot_registry "
        "WHERE kind = 'hourly' AND vcenter IS NOT NULL GROUP BY vcenter) m "
        "ON r.vcenter = m.vcenter AND r.period_start = m.p WHERE r.kind = 'hourly'");
    for (const auto& row : last) {
      auto& v = by_name[row.get_text("vcenter")];
      v.vcenter = row.get_text("vcenter");
      v.last_snapshot_table = row.get_text("table_name");
      v.last_snapshot_time = core::format_iso8601(row.get_time("period_start"));
      v.last_snapshot_status = row.get_text("status");
      v.last_snapshot_rows = row.get_int("row_count");
      v.last_error = row.get_opt_text("error");
    }
    const auto failures = db_.query(
        "SELECT vcenter, COUNT(*) AS n FROM snapshot_registry WHERE kind = 'hourly' AND status = 'failed' "
        "AND vcenter IS NOT NULL AND period_start >= " + d.timestamp_param(1) + " GROUP BY vcenter",
        {store::time_value(now - hours(24))});
    for (const auto& row : failures) {
      auto& v = by_name[row.get_text("vcenter")];
      v.vcenter = row.get_text("vcenter");
      v.failures_24h = row.get_int("n");
    }
    const auto inventory =
        db_.query("SELECT vcenter, COUNT(*) AS n FROM inventory WHERE deletion_time IS NULL GROUP BY vcenter");
    for (const auto& row : inventory) {
      auto& v = by_name[row.get_text("vcenter")];
      v.vcenter = row.get_text("vcenter");
      v.inventory_vms = row.get_int("n");
    }
    std::vector<VcenterOverview> out;
    for (auto& [name, v] : by_name) out.push_back(std::move(v));
    return out;
  });
}

TablePage StoreGatewayData::snapshots(const SnapshotQuery& query) {
  return guarded([&] {
    store::SnapshotFilter filter;
    if (query.kind) filter.kind = store::parse_snapshot_kind(*query.kind);
    filter.from = query.from;
    filter.to = query.to;
    filter.limit = query.limit;
    filter.cursor = query.cursor;
    store::SnapshotPage page;
    try {
      page = store::SnapshotRegistry(db_).list(filter);
    } catch (const store::StoreError& e) {
      if (query.cursor && !e.retryable()) throw ApiError(ErrorCode::kInvalidParameter, "'cursor' is not a cursor this API gave");
      throw;
    }
    TablePage out;
    out.table.columns = {"kind", "table_name", "vcenter", "period_start", "period_end", "row_count",
                         "status", "error", "created_at", "duration_ms"};
    for (const auto& r : page.records) {
      out.table.rows.push_back({std::string(store::to_string(r.kind)), r.table_name,
                                r.vcenter ? json(*r.vcenter) : json(), core::format_iso8601(r.period_start),
                                core::format_iso8601(r.period_end), r.row_count,
                                std::string(store::to_string(r.status)), r.error ? json(*r.error) : json(),
                                core::format_iso8601(r.created_at), r.duration.count()});
    }
    out.next_cursor = page.next_cursor;
    return out;
  });
}

TablePage StoreGatewayData::inventory(const InventoryQuery& query) {
  return guarded([&] {
    std::string sql =
        "SELECT vcenter, vm_id, instance_uuid, name, datacenter, cluster, host, resource_pool, folder, tenant, "
        "vcpu_count, ram_mb, disk_gb, power_state, is_template, srm_placeholder, guest_os, creation_time, "
        "first_seen, last_seen FROM inventory WHERE deletion_time IS NULL";
    store::Params params;
    const auto add = [&](const std::string& condition, store::Value value) {
      params.push_back(std::move(value));
      sql += " AND " + condition + "$" + std::to_string(params.size());
    };
    if (query.vcenter) add("vcenter = ", *query.vcenter);
    if (query.tenant) add("tenant = ", *query.tenant);
    if (query.cluster) add("cluster = ", *query.cluster);
    if (query.name) {
      add("LOWER(name) LIKE ", like_pattern(*query.name));
      sql += " ESCAPE '\\'";
    }
    sql += " ORDER BY name, instance_uuid LIMIT " + std::to_string(query.limit + 1) + " OFFSET " +
           std::to_string(query.offset);
    TablePage out;
    out.table = to_table(db_.query(sql, params));
    if (out.table.rows.size() > query.limit) {
      out.table.rows.pop_back();
      out.next_cursor = std::to_string(query.offset + query.limit);
    }
    return out;
  });
}

Table StoreGatewayData::vm_history(const std::string& vm, year_month_day from, year_month_day to) {
  return guarded([&] {
    Table out;
    std::map<std::string, std::size_t> column_index;
    for (const auto& name : db_.list_tables(store::table_glob(store::SnapshotKind::kDaily))) {
      const auto table = store::TableName::try_parse(name);
      if (!table || table->kind() != store::SnapshotKind::kDaily) continue;
      if (table->period_start() < sys_days(from) || table->period_start() >= sys_days(to) + days(1)) continue;
      const auto rs = db_.query("SELECT * FROM " + db_.dialect().quote_identifier(table->str()) +
                                    " WHERE instance_uuid = $1 ORDER BY vcenter",
                                {vm});
      for (const auto& c : rs.columns) {
        if (column_index.emplace(c, out.columns.size()).second) out.columns.push_back(c);
      }
      for (const auto& row : rs) {
        std::vector<json> values(out.columns.size());
        for (std::size_t i = 0; i < rs.columns.size(); ++i) {
          values[column_index[rs.columns[i]]] = to_json_value(row.values()[i]);
        }
        out.rows.push_back(std::move(values));
      }
    }
    for (auto& row : out.rows) row.resize(out.columns.size());
    return out;
  });
}

std::optional<Table> StoreGatewayData::daily_summary(year_month_day day) {
  return guarded([&] { return whole_table(db_, store::TableName::daily(day)); });
}

std::optional<Table> StoreGatewayData::monthly_summary(year_month month) {
  return guarded([&] { return whole_table(db_, store::TableName::monthly(month)); });
}

std::vector<ReportFile> StoreGatewayData::reports() {
  return guarded([&] {
    std::vector<ReportFile> out;
    for (const auto& row : db_.query("SELECT kind, period, file_name, bytes, created_at FROM reports "
                                     "ORDER BY created_at DESC, file_name LIMIT 1000")) {
      out.push_back(ReportFile{row.get_text("kind"), row.get_text("period"), row.get_text("file_name"),
                               row.get_int("bytes"), core::format_iso8601(row.get_time("created_at"))});
    }
    return out;
  });
}

std::optional<ReportFile> StoreGatewayData::find_report(const std::string& file_name) {
  return guarded([&]() -> std::optional<ReportFile> {
    const auto rs = db_.query("SELECT kind, period, file_name, bytes, created_at FROM reports WHERE file_name = $1",
                              {file_name});
    if (rs.empty()) return std::nullopt;
    const auto& row = rs[0];
    return ReportFile{row.get_text("kind"), row.get_text("period"), row.get_text("file_name"), row.get_int("bytes"),
                      core::format_iso8601(row.get_time("created_at"))};
  });
}

std::optional<std::string> StoreGatewayData::data_version() {
  return guarded([&] { return db_.data_version(); });
}

}  // namespace vctp::gateway

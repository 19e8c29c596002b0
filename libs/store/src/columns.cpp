#include "vctp/store/columns.hpp"

#include "vctp/store/vm_columns.hpp"

namespace vctp::store {

std::string_view sql_type(const Dialect& dialect, ColumnType type) {
  switch (type) {
    case ColumnType::kText:
      return dialect.text_type();
    case ColumnType::kInt:
      return dialect.integer_type();
    case ColumnType::kReal:
      return dialect.real_type();
    case ColumnType::kBool:
      return dialect.boolean_type();
    case ColumnType::kTime:
      return dialect.timestamp_type();
  }
  return dialect.text_type();
}

std::string value_placeholder(const Dialect& dialect, ColumnType type, int n) {
  const std::string placeholder = "$" + std::to_string(n);
  switch (type) {
    case ColumnType::kBool:
      return dialect.int_to_bool(placeholder);
    case ColumnType::kTime:
      return dialect.timestamp_param(n);
    default:
      return placeholder;
  }
}

std::string create_table_sql(const Dialect& dialect, std::string_view table, const std::vector<ColumnSpec>& columns,
                             bool if_not_exists) {
  std::string sql =
      std::string("CREATE TABLE ") + (if_not_exists ? "IF NOT EXISTS " : "") + dialect.quote_identifier(table) + " (";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) sql += ", ";
    sql.append(columns[i].name).append(" ").append(sql_type(dialect, columns[i].type));
    if (columns[i].not_null) sql += " NOT NULL";
  }
  return sql + ")";
}

const std::vector<Column<core::VmRecord>>& vm_columns() {
  using R = core::VmRecord;
  static const std::vector<Column<R>> columns{
      {"vcenter", &R::vcenter, true},
      {"vcenter_uuid", &R::vcenter_uuid, true},
      {"vm_id", &R::vm_id, true},
      {"instance_uuid", &R::instance_uuid},
      {"bios_uuid", &R::bios_uuid},
      {"name", &R::name},
      {"datacenter", &R::datacenter},
      {"cluster", &R::cluster},
      {"host", &R::host},
      {"resource_pool", &R::resource_pool},
      {"folder", &R::folder},
      {"tenant", &R::tenant},
      {"vcpu_count", &R::vcpu_count},
      {"ram_mb", &R::ram_mb},
      {"disk_gb", &R::disk_gb},
      {"power_state", &R::power_state},
      {"is_template", &R::is_template, true},
      {"srm_placeholder", &R::srm_placeholder, true},
      {"guest_os", &R::guest_os},
      {"creation_time", &R::creation_time},
  };
  return columns;
}

}  // namespace vctp::store

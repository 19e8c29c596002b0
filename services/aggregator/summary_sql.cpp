#include "summary_sql.hpp"

#include <algorithm>
#include <stdexcept>

namespace vctp::aggregator {

std::string SqlText::dbl(std::string_view expr) const {
  return "CAST((" + std::string(expr) + ") AS " + std::string(d_.real_type()) + ")";
}

std::vector<std::string> SqlText::create_temp(std::string_view name, std::string_view select) const {
  return d_.create_temp_table(name, select);
}

std::vector<std::string> SqlText::drop_temp(std::string_view name) const { return {d_.drop_temp_table(name)}; }

std::string SqlText::in_set(std::string_view expr, const std::vector<std::string>& values, store::Params& params) {
  if (values.empty()) return "(1 = 0)";
  std::string out = "(COALESCE(" + std::string(expr) + ", '') IN (";
  for (std::size_t i = 0; i < values.size(); ++i) {
    params.emplace_back(values[i]);
    if (i) out += ", ";
    out += "$" + std::to_string(params.size());
  }
  return out + "))";
}

std::string create_table_sql(const SqlText& sql, std::string_view table,
                             const std::vector<store::ColumnSpec>& columns) {
  return store::create_table_sql(sql.dialect(), table, columns);
}

std::string insert_select_sql(const SqlText& sql, std::string_view table, const std::vector<store::ColumnSpec>& columns,
                              const ColumnValues& values, std::string_view from) {
  std::string names;
  std::string selected;
  for (const auto& c : columns) {
    const auto it = values.find(c.name);
    if (it == values.end()) {
      throw std::logic_error("INSERT into " + std::string(table) + ": no value for column " + std::string(c.name));
    }
    names += (names.empty() ? "" : ", ") + std::string(c.name);
    selected += (selected.empty() ? "" : ", ") + it->second;
  }
  for (const auto& [name, value] : values) {
    const bool known = std::any_of(columns.begin(), columns.end(), [&](const auto& c) { return c.name == name; });
    if (!known) throw std::logic_error("INSERT into " + std::string(table) + ": no column " + name);
  }
  return "INSERT INTO " + sql.ident(table) + " (" + names + ") SELECT " + selected + " FROM " + std::string(from);
}

std::vector<std::string> distinct_values(store::Transaction& tx, const std::vector<std::string>& tables,
                                         std::string_view expr, std::string_view where) {
  std::vector<std::string> out;
  if (tables.empty()) return out;
  std::string sql;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (i) sql += " UNION ";
    sql +=
        "SELECT DISTINCT COALESCE(" + std::string(expr) + ", '') AS v FROM " + tx.dialect().quote_identifier(tables[i]);
    if (!where.empty()) sql += " WHERE " + std::string(where);
  }
  for (const auto& row : tx.query(sql)) out.push_back(row.get_text(0));
  return out;
}

}  // namespace vctp::aggregator

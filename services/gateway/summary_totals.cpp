#include "summary_totals.hpp"

#include <cmath>
#include <map>
#include <sstream>

namespace vctp::gateway {
namespace {

double number(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    try {
      return std::stod(v.get<std::string>());
    } catch (const std::exception&) {
      return 0.0;
    }
  }
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return 0.0;
}

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

std::string csv_field(const nlohmann::json& v) {
  std::string text;
  if (v.is_null()) return "";
  if (v.is_string()) {
    text = v.get<std::string>();
  } else {
    text = v.dump();
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

Table summary_totals(const Table& summary, std::string_view group_by) {
  std::string column = group_by == "pool" ? "resource_pool" : std::string(group_by);
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < summary.columns.size(); ++i) index[summary.columns[i]] = i;
  const auto get = [&](const std::vector<nlohmann::json>& row, const std::string& name) -> const nlohmann::json& {
    static const nlohmann::json kNull;
    const auto it = index.find(name);
    return it == index.end() || it->second >= row.size() ? kNull : row[it->second];
  };
  struct Sum {
    std::int64_t vms = 0;
    std::int64_t uncharged = 0;
    double vm_days = 0, vcpu = 0, ram_gb = 0, disk_gb = 0, powered_on = 0;
  };
  std::map<std::string, Sum> sums;
  const bool monthly = index.count("days_present") > 0;
  const bool has_charged = index.count("charged") > 0;
  for (const auto& row : summary.rows) {
    const auto& key_value = get(row, column);
    const std::string key = key_value.is_string() ? key_value.get<std::string>() : "";
    const double presence = number(get(row, "presence"));
    auto& s = sums[key];
    // Templates, filtered SRM placeholders and the like are listed but not charged.
    if (has_charged && number(get(row, "charged")) == 0.0) {
      s.uncharged += 1;
      continue;
    }
    s.vms += 1;
    s.vm_days += monthly ? number(get(row, "days_present")) : presence;
    s.vcpu += presence * number(get(row, "avg_vcpu"));
    s.ram_gb += presence * number(get(row, "avg_ram_gb"));
    s.disk_gb += presence * number(get(row, "avg_disk_gb"));
    s.powered_on += presence * number(get(row, "powered_on_share"));
  }
  Table out;
  out.columns = {std::string(group_by), "vms", "vm_days", "vcpu", "ram_gb", "disk_gb", "powered_on_vms",
                 "uncharged_vms"};
  for (const auto& [key, s] : sums) {
    out.rows.push_back({key, s.vms, round3(s.vm_days), round3(s.vcpu), round3(s.ram_gb), round3(s.disk_gb),
                        round3(s.powered_on), s.uncharged});
  }
  return out;
}

std::string to_csv(const Table& table) {
  std::ostringstream out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    out << (i ? "," : "") << csv_field(table.columns[i]);
  }
  out << "\r\n";
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_field(row[i]);
    out << "\r\n";
  }
  return out.str();
}

nlohmann::json to_json_rows(const Table& table) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : table.rows) {
    nlohmann::json obj = nlohmann::json::object();
    for (std::size_t i = 0; i < table.columns.size() && i < row.size(); ++i) obj[table.columns[i]] = row[i];
    rows.push_back(std::move(obj));
  }
  return rows;
}

}  // namespace vctp::gateway

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "focus_export.hpp"

using namespace vctp::reporter;

namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

MonthlyReportData month_data() {
  MonthlyReportData d{*ReportPeriod::parse(ReportKind::kMonthly, "2026-11"), {}, {}, {}, {}};
  SummaryVm vm;
  vm.vcenter = "vc1";
  vm.vcenter_uuid = "uuid-1";
  vm.instance_uuid = "inst-1";
  vm.name = "web, \"frontend\"";
  vm.tenant = "finance";
  vm.resource_pool = "gold";
  vm.presence = 0.5;
  vm.avg_vcpu = 2;
  vm.avg_ram_gb = 4;
  vm.avg_disk_gb = 60;
  d.vms.push_back(vm);
  SummaryVm tpl = vm;
  tpl.name = "template";
  tpl.is_template = true;
  d.vms.push_back(tpl);
  d.node_clusters.push_back(NodeChargeCluster{"vc1", "uuid-1", "dedicated-01", 3, 2160});
  return d;
}

}  // namespace

TEST_CASE("FOCUS export: the specification's mandatory columns, costs = quantity x unit price", "[reporter]") {
  vctp::core::RateCard card;
  card.currency = "EUR";
  card.vcpu_hour = 0.01;
  card.ram_gb_hour = 0.005;
  card.disk_gb_month = 0.1;
  card.node_hour = 2.5;
  ChargePolicy policy;
  policy.rates = card;

  std::ostringstream out;
  const auto rows = write_focus_csv(out, month_data(), policy);
  CHECK(rows == 4);  // vCPU, RAM, disk of the charged VM; node-hours of the cluster

  std::istringstream in(out.str());
  std::string line;
  std::getline(in, line);
  const auto header = split_csv_line(line);
  for (const char* required :
       {"BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
        "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
        "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingQuantity",
        "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName"}) {
    INFO(required);
    CHECK(std::find(header.begin(), header.end(), required) != header.end());
  }
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  double total = 0;
  int n = 0;
  while (std::getline(in, line)) {
    const auto f = split_csv_line(line);
    REQUIRE(f.size() == header.size());
    const double q = std::stod(f[col("PricingQuantity")]);
    const double p = std::stod(f[col("ListUnitPrice")]);
    CHECK(std::stod(f[col("BilledCost")]) == Approx(q * p));
    CHECK(std::stod(f[col("EffectiveCost")]) == Approx(q * p));
    CHECK(f[col("BillingCurrency")] == "EUR");
    CHECK(f[col("BillingPeriodStart")] == "2026-11-01T00:00:00Z");
    CHECK(f[col("ChargePeriodEnd")] == "2026-12-01T00:00:00Z");
    if (f[col("ResourceType")] == "Virtual Machine") CHECK(f[col("ResourceName")] == "web, \"frontend\"");
    total += q * p;
    ++n;
  }
  CHECK(n == 4);
  // 2 vCPU x 360 h x 0.01 + 4 GB x 360 h x 0.005 + 60 GB x 15 days / 30 x 0.1 + 2160 node-hours x 2.5
  CHECK(total == Approx(7.2 + 7.2 + 3.0 + 5400.0));
}

TEST_CASE("FOCUS export without a rate card: zero costs in ISO 4217's no-currency code", "[reporter]") {
  std::ostringstream out;
  write_focus_csv(out, month_data(), ChargePolicy{});
  CHECK_THAT(out.str(), Catch::Contains(",XXX,"));
  CHECK_THAT(out.str(), !Catch::Contains("EUR"));
}

TEST_CASE("FOCUS export: one BillingAccountId per vCenter, on VM and node rows alike", "[reporter]") {
  auto data = month_data();
  SummaryVm other = data.vms[0];
  other.vcenter = "vc2";
  other.vcenter_uuid = "uuid-2";
  other.instance_uuid = "inst-2";
  data.vms.push_back(other);
  data.node_clusters.push_back(NodeChargeCluster{"vc2", "", "dedicated-02", 2, 1440});  // no UUID on this row
  data.node_clusters.push_back(NodeChargeCluster{"vc3", "", "dedicated-03", 1, 720});   // none known at all

  std::ostringstream out;
  write_focus_csv(out, data, ChargePolicy{});
  std::istringstream in(out.str());
  std::string line;
  std::getline(in, line);
  const auto header = split_csv_line(line);
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  std::map<std::string, std::set<std::string>> ids;
  std::map<std::string, std::set<std::string>> types;
  while (std::getline(in, line)) {
    const auto f = split_csv_line(line);
    ids[f[col("x_VCenter")]].insert(f[col("BillingAccountId")]);
    types[f[col("x_VCenter")]].insert(f[col("ResourceType")]);
    CHECK(f[col("BillingAccountName")] == f[col("x_VCenter")]);
  }
  CHECK(types["vc1"] == std::set<std::string>{"Virtual Machine", "Cluster"});
  CHECK(types["vc2"] == std::set<std::string>{"Virtual Machine", "Cluster"});
  CHECK(ids["vc1"] == std::set<std::string>{"uuid-1"});
  CHECK(ids["vc2"] == std::set<std::string>{"uuid-2"});
  CHECK(ids["vc3"] == std::set<std::string>{"vc3"});
}

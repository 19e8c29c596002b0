#include <catch2/catch.hpp>

#include <algorithm>

#include "report_builder.hpp"
#include "vctp/core/time_format.hpp"

using namespace vctp::reporter;

namespace {

const SheetSpec& sheet(const WorkbookSpec& spec, const std::string& name) {
  const auto it = std::find_if(spec.sheets.begin(), spec.sheets.end(), [&](const SheetSpec& s) { return s.name == name; });
  REQUIRE(it != spec.sheets.end());
  return *it;
}

bool has_column(const SheetSpec& s, const std::string& header) {
  return std::any_of(s.columns.begin(), s.columns.end(), [&](const Column& c) { return c.header == header; });
}

std::vector<Cell> row(const SheetSpec& s, std::size_t r) {
  std::vector<Cell> cells(s.columns.size());
  s.fill_row(r, cells);
  return cells;
}

std::size_t column(const SheetSpec& s, const std::string& header) {
  for (std::size_t i = 0; i < s.columns.size(); ++i) {
    if (s.columns[i].header == header) return i;
  }
  FAIL("no column " << header);
  return 0;
}

HourlyReportData hourly_data() {
  HourlyReportData d{*ReportPeriod::parse(ReportKind::kHourly, "2026-11-24T13"), {}};
  for (int i = 0; i < 5; ++i) {
    SnapshotVm vm;
    vm.vcenter = i < 3 ? "vc1" : "vc2";
    vm.cluster = "c" + std::to_string(i % 2);
    vm.tenant = i % 2 ? "web" : "finance";
    vm.resource_pool = "silver";
    vm.name = "vm" + std::to_string(i);
    vm.vcpu_count = i + 1;
    vm.ram_mb = 2048;
    vm.power_state = "poweredOn";
    d.vms.push_back(vm);
  }
  return d;
}

}  // namespace

TEST_CASE("hourly workbook: VM sheet and totals by vCenter, cluster, tenant and pool", "[reporter]") {
  const auto now = *vctp::core::parse_iso8601("2026-11-24T14:05:00Z");
  const auto spec = build_workbook(hourly_data(), ChargePolicy{}, now);
  std::vector<std::string> names;
  for (const auto& s : spec.sheets) names.push_back(s.name);
  CHECK(names == std::vector<std::string>{"VMs", "By vCenter", "By cluster", "By tenant", "By pool"});
  const auto& vms = sheet(spec, "VMs");
  CHECK(vms.row_count == 5);
  CHECK(vms.totals_row);
  CHECK_FALSE(has_column(vms, "Cost (hour)"));
  CHECK(std::get<double>(row(vms, 4)[column(vms, "vCPUs")]) == Approx(5));
  const auto& by_vcenter = sheet(spec, "By vCenter");
  CHECK(by_vcenter.row_count == 2);
  CHECK(std::get<double>(row(by_vcenter, 0)[column(by_vcenter, "vCPUs")]) == Approx(1 + 2 + 3));
  CHECK(sheet(spec, "By cluster").row_count == 4);
  CHECK(sheet(spec, "By tenant").row_count == 2);
}

TEST_CASE("hourly workbook: VMs of node-charge clusters are flagged and not charged", "[reporter]") {
  vctp::core::RateCard card;
  card.vcpu_hour = 0.5;
  ChargePolicy policy;
  policy.rates = card;
  policy.node_charge_clusters = {"C1"};
  const auto spec = build_workbook(hourly_data(), policy, {});
  const auto& vms = sheet(spec, "VMs");
  for (std::size_t r = 0; r < vms.row_count; ++r) {
    INFO(r);
    const auto cells = row(vms, r);
    const bool node = r % 2 == 1;  // hourly_data(): cluster "c<r % 2>"
    CHECK(std::get<bool>(cells[column(vms, "Node charge")]) == node);
    CHECK(std::get<bool>(cells[column(vms, "Charged")]) == !node);
    CHECK(std::get<double>(cells[column(vms, "vCPU cost (hour)")]) == Approx(node ? 0.0 : static_cast<double>(r + 1) * 0.5));
  }
}

TEST_CASE("a rate card adds cost columns", "[reporter]") {
  vctp::core::RateCard card;
  card.currency = "CHF";
  card.vcpu_hour = 0.5;
  ChargePolicy policy;
  policy.rates = card;
  const auto spec = build_workbook(hourly_data(), policy, {});
  CHECK(spec.currency == "CHF");
  const auto& vms = sheet(spec, "VMs");
  REQUIRE(has_column(vms, "vCPU cost (hour)"));
  CHECK(std::get<double>(row(vms, 2)[column(vms, "vCPU cost (hour)")]) == Approx(3 * 0.5));
  CHECK(has_column(sheet(spec, "By tenant"), "Cost (hour)"));
}

TEST_CASE("monthly workbook: summary, trend with a line chart, tenant share chart", "[reporter]") {
  MonthlyReportData d{*ReportPeriod::parse(ReportKind::kMonthly, "2026-11"), {}, {}, {}, {}};
  SummaryVm vm;
  vm.name = "a";
  vm.tenant = "t1";
  vm.presence = 1;
  vm.avg_vcpu = 2;
  vm.days_present = 30;
  d.vms.push_back(vm);
  d.trend.push_back(DailyTrendPoint{d.period.start(), 1, 2, 4});
  d.completeness = Completeness{700, 720};
  const auto spec = build_workbook(d, ChargePolicy{}, {});
  std::vector<std::string> names;
  for (const auto& s : spec.sheets) names.push_back(s.name);
  CHECK(names ==
        std::vector<std::string>{"Summary", "VMs", "By tenant", "By pool", "Node charge", "Daily trend"});
  const auto& trend = sheet(spec, "Daily trend");
  REQUIRE(trend.charts.size() == 1);
  CHECK(trend.charts[0].type == ChartSpec::Type::kLine);
  CHECK(trend.charts[0].value_columns.size() == 3);
  const auto& tenants = sheet(spec, "By tenant");
  REQUIRE(tenants.charts.size() == 1);
  CHECK(tenants.charts[0].type == ChartSpec::Type::kPie);
  REQUIRE(tenants.charts[0].value_columns.size() == 1);
  CHECK(tenants.columns[tenants.charts[0].value_columns[0]].header == "vCPU-hours");
  const auto& summary = sheet(spec, "Summary");
  CHECK(std::get<double>(row(summary, 0)[column(summary, "Completeness")]) == Approx(700.0 / 720));
  CHECK(has_column(sheet(spec, "VMs"), "Days present"));
}

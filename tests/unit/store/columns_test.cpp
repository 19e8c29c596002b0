#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "vctp/store/columns.hpp"
#include "vctp/store/errors.hpp"
#include "vctp/store/summary_columns.hpp"
#include "vctp/store/vm_columns.hpp"

using namespace vctp;

namespace {

std::vector<std::string> names(const std::vector<store::ColumnSpec>& specs) {
  std::vector<std::string> out;
  for (const auto& s : specs) out.emplace_back(s.name);
  return out;
}

store::Row row_of(const std::vector<store::Value>& values) {
  std::vector<std::string> columns;
  for (const auto& c : store::vm_columns()) columns.emplace_back(c.name);
  return store::Row(std::make_shared<const std::vector<std::string>>(columns), values);
}

}  // namespace

TEST_CASE("the VM column table writes and reads back every field of the record") {
  core::VmRecord vm;
  vm.vcenter = "vc-a";
  vm.vcenter_uuid = "uuid-a";
  vm.vm_id = "vm-1";
  vm.instance_uuid = "inst-1";
  vm.bios_uuid = "bios-1";
  vm.name = "web01";
  vm.datacenter = "dc";
  vm.cluster = "c1";
  vm.host = "h1";
  vm.resource_pool = "gold";
  vm.folder = "/tenantA";
  vm.tenant = "tenantA";
  vm.vcpu_count = 4;
  vm.ram_mb = 8192;
  vm.disk_gb = 60.5;
  vm.power_state = "poweredOn";
  vm.is_template = true;
  vm.srm_placeholder = true;
  vm.guest_os = "Debian";
  vm.creation_time = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24} + std::chrono::hours(10);

  std::vector<store::Value> values;
  for (const auto& c : store::vm_columns()) values.push_back(c.value(vm));
  core::VmRecord back;
  store::read_columns(store::vm_columns(), row_of(values), back);
  CHECK(back == vm);

  // Names are unique, and take() moves what value() copies.
  std::set<std::string_view> unique;
  for (const auto& c : store::vm_columns()) CHECK(unique.insert(c.name).second);
  auto moved = vm;
  std::vector<store::Value> taken;
  for (const auto& c : store::vm_columns()) taken.push_back(c.take(moved));
  CHECK(taken == values);
}

TEST_CASE("a NULL column reads as the field's default") {
  std::vector<store::Value> nulls(store::vm_columns().size(), store::null_value());
  core::VmRecord vm;
  vm.name = "stale";
  vm.is_template = true;
  vm.vcpu_count = 3;
  store::read_columns(store::vm_columns(), row_of(nulls), vm);
  CHECK(vm == core::VmRecord{});
}

TEST_CASE("one list declares the daily and monthly summary columns") {
  using store::SnapshotKind;
  const auto daily = names(store::summary_columns(SnapshotKind::kDaily));
  const auto monthly = names(store::summary_columns(SnapshotKind::kMonthly));
  const auto has = [](const std::vector<std::string>& v, const char* n) {
    return std::find(v.begin(), v.end(), n) != v.end();
  };
  CHECK(daily.front() == "period");
  CHECK(has(monthly, "days_present"));
  CHECK(has(monthly, "completeness"));
  CHECK_FALSE(has(daily, "days_present"));
  CHECK_FALSE(has(daily, "completeness"));
  CHECK(monthly.size() == daily.size() + 2);
  CHECK(has(names(store::summary_pool_columns(SnapshotKind::kDaily)), "share_of_presence"));
  CHECK_FALSE(has(names(store::summary_pool_columns(SnapshotKind::kMonthly)), "share_of_presence"));
  CHECK(has(names(store::summary_node_columns(SnapshotKind::kMonthly)), "days"));
  CHECK_FALSE(has(names(store::summary_node_columns(SnapshotKind::kDaily)), "days"));
  CHECK_THROWS_AS(store::summary_columns(SnapshotKind::kHourly), store::StoreError);
}

TEST_CASE("CREATE TABLE follows the column specs on each dialect") {
  const std::vector<store::ColumnSpec> specs{
      {"period", store::ColumnType::kText, true}, {"flag", store::ColumnType::kBool}, {"at", store::ColumnType::kTime}};
  CHECK(store::create_table_sql(store::Dialect(store::Backend::kSqlite), "t", specs) ==
        "CREATE TABLE \"t\" (period TEXT NOT NULL, flag INTEGER, at TEXT)");
  CHECK(store::create_table_sql(store::Dialect(store::Backend::kPostgres), "t", specs, true) ==
        "CREATE TABLE IF NOT EXISTS \"t\" (period TEXT NOT NULL, flag BOOLEAN, at TIMESTAMPTZ)");
  CHECK(store::value_placeholder(store::Dialect(store::Backend::kPostgres), store::ColumnType::kTime, 3) ==
        "CAST($3 AS timestamptz)");
}

#include <catch2/catch.hpp>

#include "chargeback.hpp"

using namespace vctp::reporter;

namespace {

ChargePolicy priced_policy() {
  vctp::core::RateCard card;
  card.currency = "EUR";
  card.vcpu_hour = 0.01;
  card.ram_gb_hour = 0.005;
  card.disk_gb_month = 0.1;
  card.node_hour = 2.5;
  card.tenants["finance"].vcpu_hour = 0.02;
  card.pools["gold"].ram_gb_hour = 0.008;
  ChargePolicy p;
  p.rates = card;
  p.srm_activeactive_vms = {"aa-*"};
  p.tenants_to_filter = {"scratch*"};
  return p;
}

}  // namespace

TEST_CASE("usage of a summary VM: averages over the hours it was present", "[reporter]") {
  const auto day = *ReportPeriod::parse(ReportKind::kDaily, "2026-11-24");
  SummaryVm vm;
  vm.presence = 0.5;
  vm.avg_vcpu = 4;
  vm.avg_ram_gb = 8;
  vm.avg_disk_gb = 100;
  vm.powered_on_share = 0.75;
  const Usage u = summary_usage(vm, day);
  CHECK(u.vm_days == Approx(0.5));
  CHECK(u.vcpu_hours == Approx(48));
  CHECK(u.ram_gb_hours == Approx(96));
  CHECK(u.disk_gb_days == Approx(50));
  CHECK(u.powered_on_hours == Approx(9));

  const auto month = *ReportPeriod::parse(ReportKind::kMonthly, "2026-11");
  CHECK(summary_usage(vm, month).vcpu_hours == Approx(4 * 0.5 * 720));
}

TEST_CASE("usage of a snapshot VM: one hour of what it has", "[reporter]") {
  SnapshotVm vm;
  vm.vcpu_count = 2;
  vm.ram_mb = 3072;
  vm.disk_gb = 48;
  vm.power_state = "poweredOff";
  const Usage u = snapshot_usage(vm);
  CHECK(u.vcpu_hours == Approx(2));
  CHECK(u.ram_gb_hours == Approx(3));
  CHECK(u.disk_gb_days == Approx(2));
  CHECK(u.powered_on_hours == 0);
}

TEST_CASE("chargeback: who is charged, at which price", "[reporter]") {
  const ChargePolicy p = priced_policy();
  CHECK(p.is_charged("web01", false, false, false));
  CHECK_FALSE(p.is_charged("tpl", true, false, false));
  CHECK_FALSE(p.is_charged("web01", false, false, true));
  CHECK_FALSE(p.is_charged("dr-web01", false, true, false));
  CHECK(p.is_charged("AA-db01", false, true, false));
  CHECK(p.is_filtered("Scratch-lab"));
  CHECK_FALSE(p.is_filtered("finance"));

  Usage u;
  u.vcpu_hours = 100;
  u.ram_gb_hours = 200;
  u.disk_gb_days = 300;
  const Cost plain = p.cost(u, "hr", "silver", 30);
  CHECK(plain.vcpu == Approx(1.0));
  CHECK(plain.ram == Approx(1.0));
  CHECK(plain.disk == Approx(1.0));
  CHECK(plain.total() == Approx(3.0));
  const Cost finance_gold = p.cost(u, "finance", "gold", 30);
  CHECK(finance_gold.vcpu == Approx(2.0));
  CHECK(finance_gold.ram == Approx(1.6));
  CHECK(p.node_cost(10) == Approx(25));

  const ChargePolicy unpriced;
  CHECK(unpriced.cost(u, "hr", "silver", 30).total() == 0);
  CHECK(unpriced.node_cost(10) == 0);

  std::vector<SummaryVm> vms(3);
  vms[0].tenant = "scratch-1";
  vms[1].tenant = "finance";
  vms[2].tenant = "SCRATCH";
  p.remove_filtered(vms);
  REQUIRE(vms.size() == 1);
  CHECK(vms[0].tenant == "finance");
}

TEST_CASE("hourly chargeback: VMs of node-charge clusters are flagged and not charged per VM", "[reporter]") {
  vctp::core::Settings settings = vctp::core::Settings::defaults();
  settings.node_charge_clusters = {"dedicated-*"};
  settings.rates = priced_policy().rates;
  const ChargePolicy p = ChargePolicy::from_settings(settings);
  CHECK(p.node_charge_clusters == std::vector<std::string>{"dedicated-*"});
  CHECK(p.is_node_charge("dedicated-01"));
  CHECK(p.is_node_charge("DEDICATED-02"));  // globs are case-insensitive
  CHECK_FALSE(p.is_node_charge("shared-01"));
  CHECK_FALSE(ChargePolicy{}.is_node_charge("dedicated-01"));

  HourlyReportData data{*ReportPeriod::parse(ReportKind::kHourly, "2026-11-24T13"), {}};
  for (const char* cluster : {"shared-01", "Dedicated-01"}) {
    SnapshotVm vm;
    vm.name = std::string("vm-") + cluster;
    vm.cluster = cluster;
    vm.vcpu_count = 4;
    vm.ram_mb = 4096;
    data.vms.push_back(vm);
  }
  const auto priced = price_snapshot(data, p);
  REQUIRE(priced.size() == 2);
  CHECK_FALSE(priced[0].node_charge);
  CHECK(priced[0].charged);
  CHECK(priced[0].cost.vcpu == Approx(4 * 0.01));
  CHECK(priced[1].node_charge);
  CHECK_FALSE(priced[1].charged);
  CHECK(priced[1].cost.total() == 0);
  CHECK(priced[1].usage.vcpu_hours == Approx(4));  // usage is still shown

  // Without node_charge_clusters every such VM is charged per VM.
  const auto plain = price_snapshot(data, priced_policy());
  CHECK_FALSE(plain[1].node_charge);
  CHECK(plain[1].charged);
}

TEST_CASE("group totals add up per key, ordered", "[reporter]") {
  GroupTotals totals;
  VmContribution a;
  a.vcpus = 2;
  a.powered_on = true;
  a.usage.vcpu_hours = 48;
  a.cost.vcpu = 1;
  VmContribution b = a;
  b.vcpus = 4;
  b.powered_on = false;
  totals.add({"web"}, a);
  totals.add({"finance"}, a);
  totals.add({"web"}, b);
  const auto groups = totals.sorted();
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].key == std::vector<std::string>{"finance"});
  CHECK(groups[1].vms == 2);
  CHECK(groups[1].powered_on == 1);
  CHECK(groups[1].vcpus == Approx(6));
  CHECK(groups[1].usage.vcpu_hours == Approx(96));
  CHECK(groups[1].cost.total() == Approx(2));
}

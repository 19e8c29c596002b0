#include <catch2/catch.hpp>

#include "chargeback_gauges.hpp"

using namespace vctp::reporter;

namespace {

SummaryVm vm(std::string name, std::string cluster, std::string tenant, double presence, double vcpu) {
  SummaryVm v;
  v.vcenter = "vc1";
  v.name = std::move(name);
  v.cluster = std::move(cluster);
  v.tenant = std::move(tenant);
  v.presence = presence;
  v.avg_vcpu = vcpu;
  v.avg_ram_gb = 2 * vcpu;
  v.avg_disk_gb = 10;
  return v;
}

ChargePolicy policy() {
  vctp::core::RateCard card;
  card.currency = "EUR";
  card.vcpu_hour = 0.01;
  ChargePolicy p;
  p.rates = card;
  p.tenants_to_filter = {"scratch*"};
  return p;
}

bool has(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

}  // namespace

TEST_CASE("chargeback gauges: charged VMs of the latest closed day per vCenter, cluster and tenant",
          "[reporter][gauges]") {
  vctp::metrics::Registry registry;
  ChargebackGauges gauges(registry, policy());
  const auto day = *ReportPeriod::parse(ReportKind::kDaily, "2026-11-24");
  auto tmpl = vm("tmpl", "c1", "finance", 1, 8);
  tmpl.is_template = true;
  REQUIRE(gauges.update(day, {vm("a", "c1", "finance", 1, 2), vm("b", "c1", "finance", 0.5, 4),
                              vm("c", "c2", "web", 1, 1), vm("s", "c2", "scratch-1", 1, 16), tmpl}));
  const auto text = registry.serialize();
  // a: 2 vCPUs all day, b: 4 vCPUs half the day; the template and the filtered tenant do not count.
  CHECK(has(text, R"(vctp_chargeback_vcpu{cluster="c1",kind="daily",tenant="finance",vcenter="vc1"} 4)"));
  CHECK(has(text, R"(vctp_chargeback_vms{cluster="c1",kind="daily",tenant="finance",vcenter="vc1"} 1.5)"));
  CHECK(has(text, R"(vctp_chargeback_ram_gb{cluster="c1",kind="daily",tenant="finance",vcenter="vc1"} 8)"));
  CHECK(has(text, R"(vctp_chargeback_disk_gb{cluster="c2",kind="daily",tenant="web",vcenter="vc1"} 10)"));
  // 4 vCPU-days = 96 vCPU-hours at 0.01.
  CHECK(has(text, R"(vctp_chargeback_cost{cluster="c1",currency="EUR",kind="daily",tenant="finance",vcenter="vc1"} 0.96)"));
  CHECK_FALSE(has(text, "scratch-1"));
  CHECK(has(text, R"(vctp_chargeback_period_start_unix{kind="daily"} 1795478400)"));

  SECTION("an older day does not replace it; a newer one does, and groups gone disappear") {
    CHECK_FALSE(gauges.update(*ReportPeriod::parse(ReportKind::kDaily, "2026-11-23"), {vm("x", "c9", "old", 1, 1)}));
    CHECK_FALSE(has(registry.serialize(), "c9"));
    REQUIRE(gauges.update(*ReportPeriod::parse(ReportKind::kDaily, "2026-11-25"), {vm("c", "c2", "web", 1, 3)}));
    const auto next = registry.serialize();
    CHECK_FALSE(has(next, R"(tenant="finance")"));
    CHECK(has(next, R"(vctp_chargeback_vcpu{cluster="c2",kind="daily",tenant="web",vcenter="vc1"} 3)"));
    REQUIRE(gauges.shown(ReportKind::kDaily));
    CHECK(gauges.shown(ReportKind::kDaily)->label() == "2026-11-25");
    CHECK_FALSE(gauges.shown(ReportKind::kMonthly));
  }
}

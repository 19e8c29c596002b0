#include <catch2/catch.hpp>

#include "chargeback_rules.hpp"
#include "summary_sql.hpp"

using namespace vctp::aggregator;

TEST_CASE("chargeback patterns are case-insensitive globs over the distinct values", "[aggregator]") {
  const ChargebackRules rules({"internal-*", "lab?"}, {"GPU-*"}, {"SRM-AA-*"});
  CHECK(rules.filtered_tenants({"acme", "Internal-Test", "INTERNAL-x", "lab1", "lab12", ""}) ==
        std::vector<std::string>{"Internal-Test", "INTERNAL-x", "lab1"});
  CHECK(rules.node_charge_clusters({"gpu-cluster", "cl-general", "GPU-2"}) ==
        std::vector<std::string>{"gpu-cluster", "GPU-2"});
  CHECK(rules.active_active_vms({"srm-aa-db", "srm-ph-1"}) == std::vector<std::string>{"srm-aa-db"});
  const ChargebackRules none({}, {}, {});
  CHECK(none.filtered_tenants({"acme"}).empty());
}

TEST_CASE("matching values reach SQL as bound parameters, never as text", "[aggregator]") {
  vctp::store::Params params{std::string("2026-11-24")};
  const std::string evil = "x'); DROP TABLE inventory; --";
  const auto sql = SqlText::in_set("tenant", {"acme", evil}, params);
  CHECK(sql == "(COALESCE(tenant, '') IN ($2, $3))");
  REQUIRE(params.size() == 3);
  CHECK(std::get<std::string>(params[2]) == evil);
  CHECK(SqlText::in_set("tenant", {}, params) == "(1 = 0)");
  CHECK(params.size() == 3);
}

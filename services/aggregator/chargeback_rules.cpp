#include "chargeback_rules.hpp"

#include "vctp/core/glob.hpp"

namespace vctp::aggregator {

namespace {

std::vector<std::string> matching(const std::vector<std::string>& patterns,
                                  const std::vector<std::string>& values) {
  std::vector<std::string> out;
  if (patterns.empty()) return out;
  for (const auto& v : values) {
    if (core::glob_match_any(patterns, v)) out.push_back(v);
  }
  return out;
}

}  // namespace

ChargebackRules::ChargebackRules(std::vector<std::string> tenants_to_filter,
                                 std::vector<std::string> node_charge_clusters,
                                 std::vector<std::string> srm_activeactive_vms)
    : tenants_to_filter_(std::move(tenants_to_filter)),
      node_charge_clusters_(std::move(node_charge_clusters)),
      srm_activeactive_vms_(std::move(srm_activeactive_vms)) {}

ChargebackRules ChargebackRules::from_settings(const core::Settings& s) {
  return ChargebackRules(s.tenants_to_filter, s.node_charge_clusters, s.srm_activeactive_vms);
}

std::vector<std::string> ChargebackRules::filtered_tenants(const std::vector<std::string>& v) const {
  return matching(tenants_to_filter_, v);
}

std::vector<std::string> ChargebackRules::node_charge_clusters(
    const std::vector<std::string>& v) const {
  return matching(node_charge_clusters_, v);
}

std::vector<std::string> ChargebackRules::active_active_vms(const std::vector<std::string>& v) const {
  return matching(srm_activeactive_vms_, v);
}

}  // namespace vctp::aggregator

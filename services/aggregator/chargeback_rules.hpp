#pragma once

#include <string>
#include <vector>

#include "vctp/core/settings.hpp"

namespace vctp::aggregator {

/// The chargeback rules of the settings, applied to the distinct values found in a period's
/// data. Patterns are case-insensitive shell globs; they never reach SQL: the summaries receive
/// the matching values as bound parameters.
class ChargebackRules {
 public:
  ChargebackRules(std::vector<std::string> tenants_to_filter,
                  std::vector<std::string> node_charge_clusters,
                  std::vector<std::string> srm_activeactive_vms);
  static ChargebackRules from_settings(const core::Settings& settings);

  /// Tenants left out of the summaries (tenants_to_filter).
  std::vector<std::string> filtered_tenants(const std::vector<std::string>& tenants) const;
  /// Clusters charged per host node (node_charge_clusters).
  std::vector<std::string> node_charge_clusters(const std::vector<std::string>& clusters) const;
  /// SRM placeholder VM names that are charged anyway (srm_activeactive_vms).
  std::vector<std::string> active_active_vms(const std::vector<std::string>& names) const;

 private:
  std::vector<std::string> tenants_to_filter_;
  std::vector<std::string> node_charge_clusters_;
  std::vector<std::string> srm_activeactive_vms_;
};

}  // namespace vctp::aggregator

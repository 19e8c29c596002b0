#pragma once

#include <string>
#include <string_view>

#include "gateway_data.hpp"

namespace vctp::gateway {

/// Totals of a summary table per tenant, resource pool or cluster: VMs, presence-weighted
/// vCPU, RAM and disk (the average allocation over the period), VM-days. Rows whose `charged`
/// column is false are left out of the sums and counted in `uncharged_vms`.
/// `group_by` is "tenant", "pool" or "cluster". Rows are sorted by key.
Table summary_totals(const Table& summary, std::string_view group_by);

/// The table as RFC 4180 CSV with a header line.
std::string to_csv(const Table& table);

/// The rows as JSON objects ({column: value}).
nlohmann::json to_json_rows(const Table& table);

}  // namespace vctp::gateway

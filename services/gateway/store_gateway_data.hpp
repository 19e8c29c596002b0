#pragma once

#include "gateway_data.hpp"

namespace vctp::store {
class Database;
}

namespace vctp::gateway {

/// GatewayData over the vctp database (SQLite or PostgreSQL), read-only: it never registers,
/// creates or changes anything.
class StoreGatewayData final : public GatewayData {
 public:
  explicit StoreGatewayData(store::Database& db) : db_(db) {}

  void check_ready() override;
  std::vector<VcenterOverview> vcenters(TimePoint now) override;
  TablePage snapshots(const SnapshotQuery& query) override;
  TablePage inventory(const InventoryQuery& query) override;
  Table vm_history(const std::string& vm, std::chrono::year_month_day from,
                   std::chrono::year_month_day to) override;
  std::optional<Table> daily_summary(std::chrono::year_month_day day) override;
  std::optional<Table> monthly_summary(std::chrono::year_month month) override;
  std::vector<ReportFile> reports() override;
  std::optional<ReportFile> find_report(const std::string& file_name) override;
  std::optional<std::string> data_version() override;

 private:
  store::Database& db_;
};

}  // namespace vctp::gateway

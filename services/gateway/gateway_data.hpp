#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vctp::gateway {

using TimePoint = std::chrono::system_clock::time_point;

/// Rows with their column names in order (for JSON objects and CSV alike). Values are JSON
/// scalars: null, integers, floating point or text.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
};

/// One page of a listing; next_cursor is set when more rows follow.
struct TablePage {
  Table table;
  std::optional<std::string> next_cursor;
};

/// What the overview shows of one vCenter.
struct VcenterOverview {
  std::string vcenter;
  std::optional<std::string> last_snapshot_table;
  std::optional<std::string> last_snapshot_time;  ///< ISO 8601 UTC period start
  std::optional<std::string> last_snapshot_status;
  std::int64_t last_snapshot_rows = 0;
  std::int64_t failures_24h = 0;  ///< failed hourly snapshots in the last 24 hours
  std::optional<std::string> last_error;
  std::int64_t inventory_vms = 0;  ///< VMs in the inventory not known to be deleted
};

/// Filters of the snapshot registry listing (validated by the API before they get here).
struct SnapshotQuery {
  std::optional<std::string> kind;  ///< hourly / hosts / daily / monthly
  std::optional<TimePoint> from;    ///< period_start >= from
  std::optional<TimePoint> to;      ///< period_start < to
  std::size_t limit = 100;
  std::optional<std::string> cursor;
};

/// Filters of the current inventory (exact match, except `name`: a case-insensitive substring).
struct InventoryQuery {
  std::optional<std::string> vcenter;
  std::optional<std::string> name;
  std::optional<std::string> tenant;
  std::optional<std::string> cluster;
  std::size_t limit = 100;
  std::size_t offset = 0;
};

/// A generated report as the reports table lists it.
struct ReportFile {
  std::string kind;
  std::string period;
  std::string file_name;
  std::int64_t bytes = 0;
  std::string created_at;
};

/// Everything the gateway reads. Implementations turn their own failures into http::ApiError
/// (kUnavailable for a database that cannot be reached, kInvalidParameter for a bad cursor).
class GatewayData {
 public:
  virtual ~GatewayData() = default;
  /// Throws http::ApiError(kUnavailable) when the database cannot answer.
  virtual void check_ready() = 0;
  virtual std::vector<VcenterOverview> vcenters(TimePoint now) = 0;
  virtual TablePage snapshots(const SnapshotQuery& query) = 0;
  virtual TablePage inventory(const InventoryQuery& query) = 0;
  /// The VM's rows (by instance_uuid or vm_id) of each daily summary in [from, to].
  virtual Table vm_history(const std::string& vm, std::chrono::year_month_day from,
                           std::chrono::year_month_day to) = 0;
  /// A daily summary table; nullopt when it does not exist.
  virtual std::optional<Table> daily_summary(std::chrono::year_month_day day) = 0;
  virtual std::optional<Table> monthly_summary(std::chrono::year_month month) = 0;
  /// Every report, newest first.
  virtual std::vector<ReportFile> reports() = 0;
  /// The report of that exact file name, when the reports table lists it.
  virtual std::optional<ReportFile> find_report(const std::string& file_name) = 0;
  /// A token that changes whenever the data changes (store::Database::data_version): what was
  /// read after it was taken stays current while it is the same. Nullopt when it cannot tell,
  /// and then nothing is cached.
  virtual std::optional<std::string> data_version() { return std::nullopt; }
};

/// How an aggregation requested through the gateway ended.
struct AggregateOutcome {
  std::string request_id;
  std::string kind;
  std::string period;
  std::string table;
  std::int64_t rows = 0;
  std::string status;  ///< ok / partial / failed
  std::optional<std::string> error;
};

/// What the gateway publishes and listens to on the bus.
class GatewayEvents {
 public:
  virtual ~GatewayEvents() = default;
  virtual bool connected() = 0;
  /// Throws, saying why, when requests cannot be published (for /readyz): by default when not
  /// connected.
  virtual void check_ready() {
    if (!connected()) throw std::runtime_error("not connected to NATS");
  }
  /// Publishes vctp.aggregate.requested; throws http::ApiError(kUnavailable) when it cannot.
  virtual void request_aggregate(const std::string& kind, const std::string& period,
                                 const std::string& request_id) = 0;
  /// Publishes vctp.snapshot.requested; returns the event id.
  virtual std::string request_snapshot(const std::optional<std::string>& vcenter) = 0;
};

}  // namespace vctp::gateway

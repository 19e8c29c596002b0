#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "collector_metrics.hpp"
#include "vctp/core/clock.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/store/database.hpp"
#include "vctp/vsphere/client.hpp"

namespace vctp::collector {

using TimePoint = std::chrono::system_clock::time_point;

/// How far ahead of the collector's clock a snapshot may be labelled: room for some clock skew
/// between a publisher and the collector, no more. A table of a future hour would stand as the
/// latest snapshot of its vCenter and outlive retention.
inline constexpr std::chrono::minutes kMaxSnapshotLead{5};

/// Why a snapshot labelled `at` cannot be taken when the clock says `now` (it is more than
/// kMaxSnapshotLead ahead), or an empty string when it can.
std::string future_snapshot_problem(TimePoint at, TimePoint now);

/// How one vCenter's snapshot ended.
struct SnapshotOutcome {
  std::string vcenter;  ///< its label
  std::string table;
  TimePoint hour{};
  bool ok = false;
  std::int64_t rows = 0;
  double duration_s = 0;
  std::string error;  ///< why it failed
  /// Failed for a transient database fault (a lost connection, a server restarting): taking
  /// the snapshot again later may succeed.
  bool retryable = false;
};

/// Announces a finished (or failed) snapshot, e.g. on vctp.snapshot.completed.
using SnapshotAnnouncer = std::function<void(const SnapshotOutcome&)>;

/// The collector's work on every configured vCenter: hourly snapshots into the store, the
/// inventory table, and lifecycle events. Thread-safe: each vCenter's client is used by one
/// thread at a time, different vCenters in parallel.
class Collector {
 public:
  Collector(const core::Settings& settings, std::string vcenter_password, store::Database& db,
            CollectorMetrics& metrics, const core::Clock& clock);
  ~Collector();

  /// Labels of the configured vCenters (host[:port] of their SDK URLs).
  std::vector<std::string> vcenters() const;

  /// Snapshots one vCenter (by label or URL) into the tables of `hour`: writes and registers
  /// them, or registers the failure. Never throws for a vCenter's fault.
  SnapshotOutcome snapshot(const std::string& vcenter, TimePoint hour);

  /// Snapshots every vCenter (or only `only`), at most hourly_snapshot_concurrency at once;
  /// announces each outcome as it ends.
  std::vector<SnapshotOutcome> snapshot_all(TimePoint hour, const SnapshotAnnouncer& announce,
                                            const std::optional<std::string>& only = std::nullopt);

  /// Reads every vCenter's lifecycle events since its checkpoint (all of them, however many)
  /// into vm_events, and applies creations and removals to the inventory. Returns the number of
  /// new events.
  std::int64_t poll_events();

  /// Refreshes the inventory table from every vCenter: VMs no longer seen are deleted as of
  /// their last sighting (until a VmRemovedEvent says when), and events recorded before their
  /// VM was first seen get its instance UUID. Snapshots do the same.
  void refresh_inventory();

 private:
  struct Endpoint {
    std::string url;
    std::string label;
    std::mutex mutex;
    std::unique_ptr<vsphere::VcenterClient> client;
  };
  Endpoint* find(const std::string& vcenter);
  vsphere::VcenterClient& client_of(Endpoint& endpoint);
  void store_inventory(const vsphere::Inventory& inventory, TimePoint seen_at);
  std::int64_t poll_events_of(Endpoint& endpoint);

  const core::Settings& settings_;
  std::string password_;
  store::Database& db_;
  CollectorMetrics& metrics_;
  const core::Clock& clock_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
};

}  // namespace vctp::collector

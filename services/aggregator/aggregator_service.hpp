#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aggregator.hpp"
#include "aggregator_metrics.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/core/clock.hpp"
#include "vctp/service/consumers.hpp"
#include "vctp/service/service_main.hpp"
#include "vctp/store/database.hpp"

namespace vctp::aggregator {

/// The aggregator's own options.
struct AggregatorOptions {
  /// `--once daily 2026-11-24` / `--once monthly 2026-11`: the summary to build, then exit.
  struct Once {
    SummaryKind kind;
    std::string period;
  };
  std::optional<Once> once;
};

/// Parses the aggregator's own options: nothing, or `--once daily|monthly PERIOD`; throws
/// core::UsageError.
AggregatorOptions parse_options(const std::vector<std::string>& rest);

/// `--once daily 2026-11-24` / `--once monthly 2026-11`: builds one summary and returns the exit
/// code (0 built, 1 failed), or nullopt when --once was not given.
std::optional<int> run_once(service::CommandContext& context, const AggregatorOptions& options,
                            AggregatorMetrics& metrics);

/// The aggregator: closes days and months on vctp.snapshot.completed, answers
/// vctp.aggregate.requested, catches up on missing summaries every
/// vcenter_inventory_aggregate_seconds and runs the retention cleanup on snapshot_cleanup_cron.
class AggregatorService final : public service::Service {
 public:
  AggregatorService(service::ServiceContext& context, AggregatorMetrics& metrics);
  ~AggregatorService() override;
  void start() override;
  void stop() override;

 private:
  bus::HandlerResult on_snapshot_completed(const bus::SnapshotCompleted& event);
  /// Whether vctp.snapshot.completed events wait for this service (false when NATS cannot say).
  bool completions_queued();
  bus::HandlerResult on_aggregate_requested(const bus::Message& message);
  /// Publishes vctp.aggregate.completed (and vctp.snapshot.completed for a built table).
  void announce(const AggregationOutcome& outcome, const std::optional<std::string>& request_id);
  void schedule_loop();
  /// Asks for every closed period without a summary on vctp.aggregate.requested, each with its
  /// job id (aggregate:<kind>:<period>), so that of replicas catching up at once one does each
  /// (a month's days go with the month).
  void request_catch_up();
  /// For the hourly completion `event` of a day's last hour: the claim to close its day (empty
  /// when there is nothing to share: one vCenter), or nullopt when this event does not close it:
  /// not every configured vCenter's last hour is registered yet (taken or failed), or another
  /// vCenter's completion claimed the same last hours. With N vCenters a day is summarised once.
  std::optional<std::string> day_close_claim(const bus::SnapshotCompleted& event);
  /// Creates the stream and the durable consumers and starts them; throws BusError.
  void start_consumers();

  service::ServiceContext& context_;
  const core::Clock& clock_;
  AggregatorMetrics& metrics_;
  store::HandledEvents handled_;  ///< the snapshot completions handled (a redelivery is skipped)
  store::HandledEvents day_closes_;  ///< the claims of day_close_claim
  std::unique_ptr<Aggregator> aggregator_;
  std::unique_ptr<bus::EventPublisher> publisher_;
  std::vector<std::unique_ptr<bus::Consumer>> consumers_;
  std::vector<std::thread> threads_;
  service::BusSetup bus_setup_;
};

}  // namespace vctp::aggregator

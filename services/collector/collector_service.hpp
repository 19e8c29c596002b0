#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "collector.hpp"
#include "collector_metrics.hpp"
#include "vctp/core/clock.hpp"
#include "vctp/service/consumers.hpp"
#include "vctp/service/service_main.hpp"

namespace vctp::bus {
class Connection;
class Consumer;
class EventPublisher;
}  // namespace vctp::bus

namespace vctp::collector {

/// The collector service: a scheduler that publishes one snapshot job per vCenter per period
/// (with a Nats-Msg-Id, so replicas produce each job once), a durable consumer of
/// vctp.snapshot.requested that takes the snapshots, and the event and inventory pollers.
class CollectorService final : public service::Service {
 public:
  CollectorService(service::ServiceContext& context, CollectorMetrics& metrics);
  ~CollectorService() override;
  void start() override;
  void stop() override;

 private:
  /// Creates the stream and the durable consumer and starts it; throws BusError.
  void start_consumer();
  void schedule_loop();
  void poll_loop(std::int64_t seconds, void (CollectorService::*work)());
  void poll_events();
  void refresh_inventory();
  void announce(const SnapshotOutcome& outcome);

  service::ServiceContext& context_;
  const core::Clock& clock_;
  CollectorMetrics& metrics_;
  std::unique_ptr<Collector> collector_;
  std::unique_ptr<bus::EventPublisher> publisher_;
  std::unique_ptr<bus::Consumer> consumer_;
  std::vector<std::thread> threads_;
  service::BusSetup bus_setup_;
};

/// The collector's own options.
struct CollectorOptions {
  bool once = false;            ///< --once: one snapshot of every vCenter, then exit
  std::optional<TimePoint> at;  ///< --at TIME: label that snapshot with the hour of TIME
};

/// Parses the collector's own options (--once, --at TIME); throws core::UsageError.
CollectorOptions parse_options(const std::vector<std::string>& options);

/// Runs `vctp-collector --once [--at TIME]`: one snapshot of every vCenter labelled with the hour
/// of TIME (default now); publishes the outcomes when NATS answers. Returns 0 when every vCenter
/// succeeded, 1 otherwise; nullopt without --once.
std::optional<int> run_once(service::CommandContext& context, const CollectorOptions& options,
                            CollectorMetrics& metrics);

}  // namespace vctp::collector

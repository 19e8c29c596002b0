#include "collector_service.hpp"

#include <algorithm>
#include <iostream>

#include "vcenter_password.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/bus/events.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/database.hpp"

namespace vctp::collector {
namespace {

constexpr std::string_view kService = "collector";

bus::SnapshotCompleted completed_event(const SnapshotOutcome& outcome) {
  bus::SnapshotCompleted event;
  event.kind = bus::PeriodKind::kHourly;
  event.table = outcome.table;
  event.vcenter = outcome.vcenter;
  event.period_start = outcome.hour;
  event.rows = outcome.rows;
  event.duration_s = outcome.duration_s;
  event.status = outcome.ok ? bus::JobStatus::kOk : bus::JobStatus::kFailed;
  if (!outcome.ok) event.error = outcome.error;
  return event;
}

/// How long a snapshot job that failed for a transient database fault waits before it is
/// delivered again (up to the consumer's max_deliver).
constexpr auto kSnapshotRetryDelay = std::chrono::seconds(15);

/// Ack a snapshot job, or have it delivered again when a vCenter's snapshot failed for a
/// transient database fault: an hour lost to a database restart is taken once it is back
/// (snapshots replace what they write, so the vCenters that succeeded are taken again harmlessly).
bus::HandlerResult snapshot_result(const std::vector<SnapshotOutcome>& outcomes) {
  for (const auto& o : outcomes) {
    if (!o.ok && o.retryable) {
      core::log_warn("snapshot failed for a transient database fault; the job will be retried",
                     {{"vcenter", o.vcenter}, {"table", o.table}});
      return bus::HandlerResult::retry(kSnapshotRetryDelay);
    }
  }
  return bus::HandlerResult::ack();
}

/// The next tick of a cadence aligned to the epoch (3600 s: on the hour), strictly after `now`.
TimePoint next_tick(TimePoint now, std::int64_t seconds) {
  const auto period = std::chrono::seconds(seconds);
  const auto since_epoch = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  return TimePoint(since_epoch - since_epoch % period + period);
}

}  // namespace

CollectorOptions parse_options(const std::vector<std::string>& options) {
  CollectorOptions parsed;
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (options[i] == "--once") {
      parsed.once = true;
      continue;
    }
    if (options[i] == "--at") {
      if (i + 1 >= options.size()) throw core::UsageError("--at needs a time such as 2026-11-24T13:00:00Z");
      parsed.at = core::parse_iso8601(options[++i]);
      if (!parsed.at) {
        throw core::UsageError("--at: '" + options[i] + "' is not an ISO 8601 time such as 2026-11-24T13:00:00Z");
      }
      continue;
    }
    throw core::UsageError("unknown option '" + options[i] + "'");
  }
  if (!parsed.once && parsed.at) throw core::UsageError("--at goes with --once");
  return parsed;
}

CollectorService::CollectorService(service::ServiceContext& context, CollectorMetrics& metrics)
    : context_(context), clock_(context.clock), metrics_(metrics), bus_setup_(context) {
  const auto& settings = context_.settings;
  collector_ = std::make_unique<Collector>(
      settings, resolve_vcenter_password(settings, context_.command_line.settings_path), context_.db, metrics_, clock_);
  publisher_ = std::make_unique<bus::EventPublisher>(context_.nats, std::string(kService));
}

CollectorService::~CollectorService() { stop(); }

void CollectorService::start() {
  bus_setup_.start([this] { start_consumer(); }, [this] { consumer_.reset(); });
  threads_.emplace_back([this] { schedule_loop(); });
  if (context_.settings.vcenter_event_polling_seconds > 0) {
    threads_.emplace_back(
        [this] { poll_loop(context_.settings.vcenter_event_polling_seconds, &CollectorService::poll_events); });
  }
  if (context_.settings.vcenter_inventory_polling_seconds > 0) {
    threads_.emplace_back([this] {
      poll_loop(context_.settings.vcenter_inventory_polling_seconds, &CollectorService::refresh_inventory);
    });
  }
  core::log_info("collector started", {{"vcenters", std::to_string(collector_->vcenters().size())}});
}

void CollectorService::start_consumer() {
  auto config = service::durable_consumer(kService, bus::SnapshotRequested::kSubject);
  config.ack_wait = std::chrono::minutes(2);
  config.max_deliver = 3;
  bus::ConsumerOptions options;
  options.batch = 1;
  // The scheduler publishes one job per vCenter: as many handler threads as vCenters may be
  // snapshotted at once (hourly_snapshot_concurrency, 0 = all of them).
  const auto vcenters = static_cast<int>(collector_->vcenters().size());
  const auto limit = static_cast<int>(context_.settings.hourly_snapshot_concurrency);
  options.threads = std::max(1, limit > 0 ? std::min(limit, vcenters) : vcenters);
  consumer_ = std::make_unique<bus::Consumer>(
      context_.nats, config,
      bus::event_handler<bus::SnapshotRequested>([this](const bus::SnapshotRequested& request, const bus::Message&) {
        const auto cadence = std::chrono::seconds(context_.settings.vcenter_inventory_snapshot_seconds);
        if (clock_.now() - request.envelope.time > cadence) {
          core::log_warn("dropping a stale snapshot request",
                         {{"requested_at", core::format_iso8601(request.envelope.time)}});
          return bus::HandlerResult::ack();
        }
        if (const auto problem = future_snapshot_problem(request.envelope.time, clock_.now()); !problem.empty()) {
          return bus::HandlerResult::invalid(problem);
        }
        if (request.vcenter && !collector_->vcenters().empty()) {
          const auto known = collector_->vcenters();
          if (std::find(known.begin(), known.end(), *request.vcenter) == known.end()) {
            return bus::HandlerResult::invalid("unknown vCenter '" + *request.vcenter + "'");
          }
        }
        const auto outcomes = collector_->snapshot_all(
            request.envelope.time, [this](const SnapshotOutcome& o) { announce(o); }, request.vcenter);
        return snapshot_result(outcomes);
      }),
      context_.metrics, options);
  consumer_->start(&context_.stop);
  core::log_info("collector consuming", {{"subject", std::string(bus::SnapshotRequested::kSubject)}});
}

void CollectorService::stop() {
  context_.stop.request_stop();
  bus_setup_.join();  // first: once joined, nobody else touches consumer_
  service::join_all(threads_);
  if (consumer_) consumer_->stop();
}

void CollectorService::announce(const SnapshotOutcome& outcome) {
  auto event = completed_event(outcome);
  publisher_->publish(event);
}

void CollectorService::schedule_loop() {
  const auto cadence = context_.settings.vcenter_inventory_snapshot_seconds;
  while (!context_.stop.stop_requested()) {
    const TimePoint tick = next_tick(clock_.now(), cadence);
    if (context_.stop.wait_until(tick)) return;
    for (const auto& vcenter : collector_->vcenters()) {
      bus::SnapshotRequested request;
      request.vcenter = vcenter;
      bus::PublishOptions options;
      options.msg_id = bus::snapshot_job_id(vcenter, tick);
      try {
        publisher_->publish(request, options);
      } catch (const std::exception& e) {
        // Better a snapshot taken twice (writes replace) than an hour lost.
        core::log_error("cannot publish the scheduled snapshot job; taking it here",
                        {{"vcenter", vcenter}, {"error", e.what()}});
        collector_->snapshot_all(
            tick,
            [this](const SnapshotOutcome& o) {
              try {
                announce(o);
              } catch (const std::exception& err) {
                core::log_error("cannot announce the snapshot", {{"vcenter", o.vcenter}, {"error", err.what()}});
              }
            },
            vcenter);
      }
    }
  }
}

void CollectorService::poll_loop(std::int64_t seconds, void (CollectorService::*work)()) {
  while (!context_.stop.stop_requested()) {
    (this->*work)();
    if (context_.stop.wait_for(std::chrono::seconds(seconds))) return;
  }
}

void CollectorService::poll_events() {
  const auto added = collector_->poll_events();
  if (added > 0) core::log_info("lifecycle events recorded", {{"new", std::to_string(added)}});
}

void CollectorService::refresh_inventory() { collector_->refresh_inventory(); }

std::optional<int> run_once(service::CommandContext& context, const CollectorOptions& options,
                            CollectorMetrics& metrics) {
  if (!options.once) return std::nullopt;
  const TimePoint at = options.at.value_or(context.clock.now());
  if (const auto problem = future_snapshot_problem(at, context.clock.now()); !problem.empty()) {
    // Refused like a bad option (exit 2): the time is wrong, not the vCenter.
    core::log_error("refusing the snapshot", {{"error", problem}});
    std::cerr << "vctp-collector: --at: " << problem << "\n";
    return 2;
  }
  Collector collector(context.settings, resolve_vcenter_password(context.settings, context.command_line.settings_path),
                      context.db(), metrics, context.clock);
  if (collector.vcenters().empty()) {
    core::log_error("no vCenter to snapshot: vcenter_addresses is empty");
    return 1;
  }

  // Publishing is best effort here: a backfill must work without NATS, and the aggregator's
  // catch-up finds the tables through the registry anyway.
  std::unique_ptr<bus::EventPublisher> publisher;
  if (auto* nats = context.nats()) publisher = std::make_unique<bus::EventPublisher>(*nats, std::string(kService));

  collector.poll_events();
  const auto outcomes = collector.snapshot_all(at, [&](const SnapshotOutcome& outcome) {
    if (!publisher) return;
    auto event = completed_event(outcome);
    bus::PublishOptions publish_options;
    publish_options.retry_for = service::kJetStreamElection;
    publisher->publish(event, publish_options);
  });
  int failed = 0;
  for (const auto& o : outcomes) {
    if (!o.ok) ++failed;
  }
  core::log_info("snapshot done", {{"vcenters", std::to_string(outcomes.size())}, {"failed", std::to_string(failed)}});
  return failed == 0 ? 0 : 1;
}

}  // namespace vctp::collector

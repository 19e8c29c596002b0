#include "aggregator_service.hpp"

#include <algorithm>
#include <iostream>
#include <set>

#include "aggregation_events.hpp"
#include "retention_job.hpp"
#include "vctp/core/command_line.hpp"
#include "vctp/core/cron.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/errors.hpp"

namespace vctp::aggregator {

namespace {

constexpr std::string_view kService = "aggregator";
/// How far back the schedule looks for closed periods without a summary.
constexpr int kCatchUpMonths = 13;
/// A request that failed on a transient database error is retried this many times.
constexpr std::uint64_t kRetryDeliveries = 3;
/// How soon the catch-up looks again while completions are still queued.
constexpr auto kCatchUpWhileQueued = std::chrono::seconds(10);

int catch_up_days(const core::Settings& settings) {
  return static_cast<int>(std::clamp<std::int64_t>(settings.hourly_snapshot_max_age_days, 1, 400));
}

}  // namespace

AggregatorOptions parse_options(const std::vector<std::string>& rest) {
  if (rest.empty()) return {};
  if (rest.front() != "--once") throw core::UsageError("unknown option '" + rest.front() + "'");
  if (rest.size() != 3 || (rest[1] != "daily" && rest[1] != "monthly")) {
    throw core::UsageError(
        "--once takes a kind and a period: --once daily 2026-11-24 or "
        "--once monthly 2026-11");
  }
  return {AggregatorOptions::Once{rest[1] == "daily" ? SummaryKind::kDaily : SummaryKind::kMonthly, rest[2]}};
}

std::optional<int> run_once(service::CommandContext& context, const AggregatorOptions& options,
                            AggregatorMetrics& metrics) {
  if (!options.once) return std::nullopt;
  const auto kind = options.once->kind;
  Aggregator aggregator(context.db(), context.clock, ChargebackRules::from_settings(context.settings), metrics);
  const auto out = aggregator.run(kind, options.once->period);
  if (!out.ok) {
    std::cerr << "vctp-aggregator: " << to_string(kind) << " summary of '" << out.period << "' failed: " << out.error
              << "\n";
    return 1;
  }
  std::cout << out.table << ": " << out.rows << " rows in " << out.duration.count() << " ms\n";
  return 0;
}

AggregatorService::AggregatorService(service::ServiceContext& context, AggregatorMetrics& metrics)
    : context_(context), clock_(context.clock), metrics_(metrics), handled_(context.db, "aggregator"),
      day_closes_(context.db, "aggregator-day-close"),
      bus_setup_(context) {
  const auto& settings = context_.settings;
  // Validate the cron before anything starts: a bad one is a settings error.
  core::CronExpression::parse(settings.snapshot_cleanup_cron);
  aggregator_ = std::make_unique<Aggregator>(context_.db, clock_, ChargebackRules::from_settings(settings), metrics_);
  publisher_ = std::make_unique<bus::EventPublisher>(context_.nats, std::string(kService));
}

AggregatorService::~AggregatorService() { stop(); }

void AggregatorService::start() {
  bus_setup_.start([this] { start_consumers(); }, [this] { consumers_.clear(); });
  threads_.emplace_back([this] { schedule_loop(); });
  core::log_info("aggregator started",
                 {{"database", context_.db.location()},
                  {"aggregate_seconds", std::to_string(context_.settings.vcenter_inventory_aggregate_seconds)},
                  {"cleanup_cron", context_.settings.snapshot_cleanup_cron}});
}

void AggregatorService::start_consumers() {
  bus::ConsumerOptions options;
  options.batch = 1;
  options.threads = 1;

  // A summary can take a while: two minutes before redelivery, five tries.
  bus::ConsumerConfig slow;
  slow.ack_wait = std::chrono::minutes(2);
  slow.max_deliver = 5;
  consumers_.push_back(std::make_unique<bus::Consumer>(
      context_.nats, service::durable_consumer(kService, bus::SnapshotCompleted::kSubject, slow),
      service::handle_once<bus::SnapshotCompleted>(
          handled_, context_.clock,
          [this](const bus::SnapshotCompleted& e, const bus::Message&) { return on_snapshot_completed(e); }),
      context_.metrics, options));
  consumers_.push_back(std::make_unique<bus::Consumer>(
      context_.nats, service::durable_consumer(kService, bus::AggregateRequested::kSubject, slow),
      [this](const bus::Message& m) { return on_aggregate_requested(m); }, context_.metrics, options));

  for (auto& c : consumers_) c->start(&context_.stop);
  core::log_info("aggregator consuming", {{"subjects", "vctp.snapshot.completed, vctp.aggregate.requested"}});
}

void AggregatorService::stop() {
  context_.stop.request_stop();
  bus_setup_.join();  // first: once joined, nobody else touches consumers_
  service::join_all(threads_);
  for (auto& c : consumers_) c->stop();
}

bus::HandlerResult AggregatorService::on_snapshot_completed(const bus::SnapshotCompleted& event) {
  std::vector<Period> closed;
  try {
    closed = days_closed_by(event);
  } catch (const store::InvalidTableName& e) {
    // A period no summary can have (the bus refuses those already): retrying cannot help.
    return bus::HandlerResult::invalid(e.what());
  }
  for (const auto& day : closed) {
    // The day's last hour builds it (again when it was taken again: it may be new), once all the
    // vCenters' last hours are in; the next day's first hour only stands in for a last hour
    // that never came.
    const bool own_day = day.start() <= event.period_start && event.period_start < day.end();
    const auto claim = own_day ? day_close_claim(event) : std::optional<std::string>(std::string());
    if (!claim) continue;
    const auto out = own_day ? std::optional(aggregator_->run(day)) : aggregator_->run_if_missing(day);
    if (!out) continue;
    if (out->retryable) {
      if (!claim->empty()) day_closes_.remove(*claim);  // the retry claims it again
      return bus::HandlerResult::retry(std::chrono::seconds(10));
    }
    announce(*out, std::nullopt);
    if (!out->ok) continue;
    if (const auto month = month_closed_by(day)) announce(aggregator_->run(*month), std::nullopt);
  }
  return bus::HandlerResult::ack();
}

std::optional<std::string> AggregatorService::day_close_claim(const bus::SnapshotCompleted& event) {
  const auto expected = context_.settings.vcenter_addresses.size();
  if (expected <= 1 || !event.vcenter) return std::string();
  const auto rows = context_.db.query(
      "SELECT COALESCE(vcenter, '') AS vcenter, created_at FROM snapshot_registry "
      "WHERE kind = 'hourly' AND table_name = $1 ORDER BY 1",
      {event.table});
  if (rows.size() < expected) {
    core::log_info("the day waits for the last hour of every vCenter",
                   {{"table", event.table}, {"vcenter", *event.vcenter},
                    {"registered", std::to_string(rows.size())}, {"expected", std::to_string(expected)}});
    return std::nullopt;
  }
  // The last hours as they stand: every vCenter's completion that sees them names the same
  // claim, and one of them (whichever replica has it) gets it. A last hour taken again later
  // makes another claim, so the day is built again with it.
  std::string claim = "close:" + event.table;
  for (const auto& row : rows) {
    claim += ":" + row.get_text("vcenter") + "@" + core::format_iso8601(row.get_time("created_at"));
  }
  if (!day_closes_.add(claim, clock_.now())) {
    core::log_info("the day is closed by another vCenter's last hour",
                   {{"table", event.table}, {"vcenter", *event.vcenter}});
    return std::nullopt;
  }
  return claim;
}

bool AggregatorService::completions_queued() {
  try {
    const auto state =
        context_.nats.consumer_state(bus::stream_config(context_.settings).name,
                                     service::durable_consumer(kService, bus::SnapshotCompleted::kSubject).durable);
    return state.num_pending > 0 || state.num_ack_pending > 0;
  } catch (const std::exception& e) {
    // NATS away or the consumer not made yet: no event will do the work, the catch-up does.
    core::log_debug("cannot read the completions consumer's state", {{"error", e.what()}});
    return false;
  }
}

bus::HandlerResult AggregatorService::on_aggregate_requested(const bus::Message& message) {
  const auto request = parse_request(message.data);
  AggregationOutcome out;
  if (!request.kind) {
    out = aggregator_->refuse(SummaryKind::kDaily, request.period,
                              request.error.empty() ? "invalid request" : request.error);
  } else {
    out = aggregator_->run(*request.kind, request.period);
    if (out.retryable && message.num_delivered < kRetryDeliveries) {
      return bus::HandlerResult::retry(std::chrono::seconds(5));
    }
  }
  const std::optional<std::string> request_id =
      request.request_id.empty() ? std::nullopt : std::optional<std::string>(request.request_id);
  announce(out, request_id);
  if (const auto reply = message.header(std::string(bus::kReplyToHeader)); reply && !reply->empty()) {
    auto answer = completed_event(out, request_id);
    try {
      publisher_->reply(*reply, answer);
    } catch (const bus::BusError& e) {
      core::log_warn("could not answer an aggregation request", {{"error", e.what()}});
    }
  }
  // Answered, and never to be tried again: a malformed request is terminated and counted.
  if (!request.error.empty()) return bus::HandlerResult::invalid(request.error);
  return bus::HandlerResult::ack();
}

void AggregatorService::announce(const AggregationOutcome& outcome, const std::optional<std::string>& request_id) {
  // Daily summaries a monthly run built on the way are news of their own (their reports).
  for (const auto& day : outcome.days_built) announce(day, std::nullopt);
  try {
    auto event = completed_event(outcome, request_id);
    publisher_->publish(event);
    if (outcome.ok) {
      auto snapshot = summary_snapshot_event(outcome, Period::parse(outcome.kind, outcome.period));
      publisher_->publish(snapshot);
    }
  } catch (const std::exception& e) {
    core::log_warn("could not publish an aggregation event", {{"period", outcome.period}, {"error", e.what()}});
  }
}

void AggregatorService::request_catch_up() {
  const auto missing = aggregator_->missing_periods(catch_up_days(context_.settings), kCatchUpMonths);
  std::set<std::string> months;
  for (const auto& period : missing) {
    if (period.kind() == SummaryKind::kMonthly) months.insert(period.text());
  }
  for (const auto& period : missing) {
    // A month's job builds its missing days on the way: asked for apart, a replica could build a
    // day while another builds it for the month.
    if (period.kind() == SummaryKind::kDaily && months.count(period.text().substr(0, 7)) != 0) continue;
    bus::AggregateRequested request;
    request.kind = period.kind() == SummaryKind::kDaily ? bus::AggregateKind::kDaily : bus::AggregateKind::kMonthly;
    request.period = period.text();
    bus::PublishOptions options;
    options.msg_id = bus::aggregate_job_id(request.kind, request.period);
    try {
      publisher_->publish(request, options);
      core::log_info("catch-up requested",
                     {{"kind", std::string(to_string(period.kind()))}, {"period", period.text()}});
    } catch (const std::exception& e) {
      // Better a period summarised twice (a summary replaces its table) than one left out.
      core::log_warn("cannot publish the catch-up job; summarising here",
                     {{"period", period.text()}, {"error", e.what()}});
      announce(aggregator_->run(period), std::nullopt);
    }
  }
}

void AggregatorService::schedule_loop() {
  const auto& settings = context_.settings;
  const auto cron = core::CronExpression::parse(settings.snapshot_cleanup_cron);
  const auto every = std::chrono::seconds(std::max<std::int64_t>(settings.vcenter_inventory_aggregate_seconds, 60));
  auto next_catch_up = clock_.now();
  auto next_cleanup = cron.next_after(clock_.now());
  while (!context_.stop.stop_requested()) {
    const auto now = clock_.now();
    if (now >= next_catch_up && completions_queued()) {
      // Completions still queued (a restart after downtime) close their days themselves; the
      // catch-up, for what no event will close, waits until they are done.
      next_catch_up = clock_.now() + kCatchUpWhileQueued;
    } else if (now >= next_catch_up) {
      try {
        request_catch_up();
      } catch (const std::exception& e) {
        core::log_warn("catch-up failed", {{"error", e.what()}});
      }
      next_catch_up = clock_.now() + every;
    }
    if (now >= next_cleanup) {
      try {
        run_retention(context_.db, clock_, settings);
      } catch (const std::exception& e) {
        core::log_warn("retention cleanup failed", {{"error", e.what()}});
      }
      next_cleanup = cron.next_after(clock_.now());
    }
    context_.stop.wait_until(std::min(next_catch_up, next_cleanup));
  }
}

}  // namespace vctp::aggregator

#include "bus_gateway_events.hpp"

#include "vctp/bus/connection.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/bus/events.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/http/error.hpp"

namespace vctp::gateway {

using http::ApiError;
using http::ErrorCode;

namespace {

bus::PublishOptions request_publish_options() {
  bus::PublishOptions options;
  options.ack_timeout = std::chrono::milliseconds(2000);
  options.retry_for = std::chrono::milliseconds(5000);
  return options;
}

constexpr std::chrono::seconds kStreamSetupTime{3};

}  // namespace

struct BusGatewayEvents::Impl {
  /// Publishes; when JetStream refuses (the stream may not exist yet on a fresh NATS), makes
  /// sure the stream exists and tries once more.
  template <class Event>
  void publish(Event& event) {
    try {
      publisher.publish(event, request_publish_options());
      return;
    } catch (const bus::BusError& first) {
      if (!connection.connected()) {
        throw ApiError(ErrorCode::kUnavailable, std::string("NATS is not reachable: ") + first.what());
      }
      core::log_warn("publish failed; making sure the JetStream stream exists", {{"error", first.what()}});
    }
    try {
      ensure_stream();
      publisher.publish(event, request_publish_options());
    } catch (const bus::BusError& e) {
      throw ApiError(ErrorCode::kUnavailable, std::string("cannot publish the request to NATS: ") + e.what());
    }
  }

  void ensure_stream() { connection.ensure_stream(stream, kStreamSetupTime); }

  Impl(bus::Connection& c, RequestTracker& t, bus::StreamConfig s)
      : connection(c), tracker(t), stream(std::move(s)), publisher(c, "gateway") {}

  bus::Connection& connection;
  RequestTracker& tracker;
  const bus::StreamConfig stream;
  bus::EventPublisher publisher;
  bus::Subscription completed;
  bus::Subscription reports;
};

BusGatewayEvents::BusGatewayEvents(bus::Connection& connection, RequestTracker& tracker, bus::StreamConfig stream)
    : impl_(std::make_unique<Impl>(connection, tracker, std::move(stream))) {
  impl_->completed = connection.subscribe(bus::AggregateCompleted::kSubject, [impl = impl_.get()](const bus::Message& m) {
    try {
      const auto event = bus::parse_event<bus::AggregateCompleted>(m.data);
      if (!event.request_id) return;
      AggregateOutcome outcome;
      outcome.request_id = *event.request_id;
      outcome.kind = std::string(bus::to_string(event.kind));
      outcome.period = event.period;
      outcome.table = event.table;
      outcome.rows = event.rows;
      outcome.status = std::string(bus::to_string(event.status));
      outcome.error = event.error;
      impl->tracker.complete(outcome);
    } catch (const bus::BusError& e) {
      core::log_warn("ignoring an invalid vctp.aggregate.completed", {{"error", e.what()}});
    }
  });
  impl_->reports = connection.subscribe(bus::ReportGenerated::kSubject, [impl = impl_.get()](const bus::Message& m) {
    try {
      const auto event = bus::parse_event<bus::ReportGenerated>(m.data);
      impl->tracker.report_generated(std::string(bus::to_string(event.kind)), event.period, event.file);
    } catch (const bus::BusError& e) {
      core::log_warn("ignoring an invalid vctp.report.generated", {{"error", e.what()}});
    }
  });
}

BusGatewayEvents::~BusGatewayEvents() = default;

bool BusGatewayEvents::connected() { return impl_->connection.connected(); }

void BusGatewayEvents::check_ready() {
  if (!connected()) throw std::runtime_error("not connected to NATS");
  try {
    impl_->connection.stream_state(impl_->stream.name);
  } catch (const bus::BusError&) {
    try {
      impl_->connection.ensure_stream(impl_->stream, std::chrono::seconds(2));
    } catch (const bus::BusError& e) {
      throw std::runtime_error(std::string("JetStream stream ") + impl_->stream.name + " not available: " + e.what());
    }
  }
}

void BusGatewayEvents::request_aggregate(const std::string& kind, const std::string& period,
                                         const std::string& request_id) {
  bus::AggregateRequested event;
  event.kind = bus::parse_aggregate_kind(kind).value_or(bus::AggregateKind::kDaily);
  event.period = period;
  event.request_id = request_id;
  impl_->publish(event);
}

std::string BusGatewayEvents::request_snapshot(const std::optional<std::string>& vcenter) {
  bus::SnapshotRequested event;
  event.vcenter = vcenter;
  impl_->publish(event);
  return event.envelope.id;
}

}  // namespace vctp::gateway

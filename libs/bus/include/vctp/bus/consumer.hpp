#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "vctp/bus/connection.hpp"
#include "vctp/bus/events.hpp"

namespace vctp::core {
class StopToken;
}

namespace vctp::bus {

/// What a handler decided about a message.
class HandlerResult {
 public:
  enum class Kind { kAck, kRetry, kInvalid };

  /// Done: acknowledge, never deliver again.
  static HandlerResult ack() { return HandlerResult(Kind::kAck, {}, {}); }
  /// A transient failure: deliver again after `delay` (up to the consumer's max_deliver).
  static HandlerResult retry(std::chrono::milliseconds delay) { return HandlerResult(Kind::kRetry, delay, {}); }
  /// A message that can never be handled: terminate it, log it, count it.
  static HandlerResult invalid(std::string reason) { return HandlerResult(Kind::kInvalid, {}, std::move(reason)); }

  Kind kind() const { return kind_; }
  std::chrono::milliseconds delay() const { return delay_; }
  const std::string& reason() const { return reason_; }

 private:
  HandlerResult(Kind kind, std::chrono::milliseconds delay, std::string reason)
      : kind_(kind), delay_(delay), reason_(std::move(reason)) {}
  Kind kind_;
  std::chrono::milliseconds delay_;
  std::string reason_{};
};

/// Handles one message. Throwing InvalidEvent means invalid; throwing anything else means a
/// transient failure (retried after ConsumerOptions::retry_delay, growing with each delivery).
using Handler = std::function<HandlerResult(const Message&)>;

/// A handler of one event type: parses the payload (an invalid one is terminated and counted
/// without reaching `handle`) and passes the typed event on.
template <class Event>
Handler event_handler(std::function<HandlerResult(const Event&, const Message&)> handle) {
  return [handle = std::move(handle)](const Message& message) {
    const Event event = parse_event<Event>(message.data);
    return handle(event, message);
  };
}

/// How the consumer loop fetches.
struct ConsumerOptions {
  int batch = 10;                               ///< Messages per fetch (1 for long jobs).
  int threads = 1;                              ///< Fetch-and-handle threads.
  std::chrono::milliseconds fetch_wait{1000};   ///< Longest wait of one fetch (bounds stop()).
  /// Redelivery delay after a handler throws: retry_delay on the first delivery, doubling with
  /// each further delivery, at most max_retry_delay.
  std::chrono::milliseconds retry_delay{5000};
  std::chrono::milliseconds max_retry_delay{std::chrono::minutes(5)};
  /// Acknowledge synchronously (the server confirms), so that an acknowledged message is never
  /// delivered again even when the process stops right after.
  bool ack_sync = true;
  /// Create or update the durable consumer at start (and again if it disappears).
  bool ensure_consumer = true;
  /// How often an idle consumer checks that its durable still exists on the server.
  std::chrono::milliseconds verify_every{std::chrono::seconds(30)};
};

/// The consumer loop of one durable pull consumer: fetches batches and hands each message to the
/// handler; acks after success, naks with a delay on a transient failure, terminates (logs with
/// subject and an excerpt, counts in vctp_bus_invalid_messages_total{consumer}) an invalid
/// message. Replicas of a service create the same durable, so each message is handled once.
/// Keeps a message being handled alive (in-progress acks) however long the handler takes.
class Consumer {
 public:
  Consumer(Connection& connection, ConsumerConfig config, Handler handler, metrics::Registry& metrics,
           ConsumerOptions options = {});
  ~Consumer();  ///< Stops.
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  /// Starts the threads (and first makes sure the durable consumer exists when
  /// options.ensure_consumer; throws BusError if it cannot). Also stops when `stop` is requested.
  void start(const core::StopToken* stop = nullptr);
  /// Stops fetching, lets the message being handled finish, returns within about fetch_wait plus
  /// the handler's time. Messages fetched but not handled are released for redelivery.
  void stop();
  bool running() const;

  const ConsumerConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Stamps and publishes typed events for one producing service.
class EventPublisher {
 public:
  /// `source` is the producing service's name; `now` gives the event time (a clock in tests).
  EventPublisher(Connection& connection, std::string source,
                 std::function<TimePoint()> now = [] { return std::chrono::system_clock::now(); })
      : connection_(connection), source_(std::move(source)), now_(std::move(now)) {}

  /// Stamps the envelope if its id is empty and publishes to Event::kSubject, waiting for the
  /// JetStream ack. The msg id defaults to the event id (so a retry is stored once); scheduled
  /// jobs pass snapshot_job_id()/aggregate_job_id() instead. Throws PublishError.
  template <class Event>
  PublishAck publish(Event& event, PublishOptions options = {}) {
    stamp(event, source_, now_());
    if (options.msg_id.empty()) options.msg_id = event.envelope.id;
    return connection_.publish_js(Event::kSubject, serialize_event(event), options);
  }

  /// Publishes an event with core NATS to a reply subject (no JetStream): the answer to a request.
  /// Throws BusError (not retryable) when `reply_subject` is not an inbox (is_reply_subject).
  template <class Event>
  void reply(std::string_view reply_subject, Event& event) {
    if (!is_reply_subject(reply_subject)) {
      throw BusError("refusing to answer on '" + std::string(reply_subject) +
                         "': a reply subject must be an _INBOX. subject, not one of the pipeline's or JetStream's",
                     false);
    }
    stamp(event, source_, now_());
    connection_.publish(reply_subject, serialize_event(event));
  }

  const std::string& source() const { return source_; }

 private:
  Connection& connection_;
  std::string source_{};
  std::function<TimePoint()> now_;
};

}  // namespace vctp::bus

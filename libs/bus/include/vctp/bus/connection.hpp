#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vctp/bus/errors.hpp"

namespace vctp::core {
struct Settings;
}
namespace vctp::metrics {
class Registry;
}

namespace vctp::bus {

/// The header that carries JetStream's de-duplication id.
inline constexpr std::string_view kMsgIdHeader = "Nats-Msg-Id";
/// A header naming where a requester waits for the answer to a JetStream-stored request (JetStream
/// answers the NATS reply subject itself, with its publish ack, so the requester's own inbox
/// travels in this header; the consumer's handler publishes its answer there).
inline constexpr std::string_view kReplyToHeader = "Vctp-Reply-To";

/// Whether `subject` may be answered as a kReplyToHeader: an inbox like new_inbox() makes
/// (`_INBOX.` then tokens, no wildcards, no spaces or control characters). Anything else, the
/// pipeline's own `vctp.` subjects and JetStream's `$JS.` API above all, is refused, so a request
/// cannot make a service publish where its requester may not.
bool is_reply_subject(std::string_view subject);

/// A message as received, from a core subscription or a JetStream consumer.
struct Message {
  std::string subject{};
  std::string reply{};  ///< The NATS reply subject (for JetStream messages: the ack subject).
  std::string data{};
  std::map<std::string, std::string> headers{};  ///< The first value of each header.
  std::uint64_t stream_sequence = 0;           ///< JetStream only.
  std::uint64_t num_delivered = 0;             ///< JetStream only: 1 on first delivery.

  /// The value of `name`, if present.
  std::optional<std::string> header(const std::string& name) const;
};

/// How to connect, besides what the settings say.
struct ConnectionOptions {
  std::string name = "vctp";  ///< Client name shown by the server (e.g. "vctp-aggregator").
  std::chrono::milliseconds connect_timeout{2000};
  /// Reconnect forever, waiting reconnect_wait_min, then doubling up to reconnect_wait_max.
  std::chrono::milliseconds reconnect_wait_min{100};
  std::chrono::milliseconds reconnect_wait_max{5000};
  /// Keep trying in the background when no server answers at start (the constructor returns at
  /// once); otherwise the constructor throws ConnectError.
  bool retry_on_failed_connect = true;
  /// How long JetStream API calls (stream/consumer set-up, info) wait for an answer.
  std::chrono::milliseconds api_timeout{5000};
  /// How long the destructor lets subscriptions and pending publishes drain.
  std::chrono::milliseconds drain_timeout{5000};
};

/// How a JetStream publish waits and retries.
struct PublishOptions {
  /// The de-duplication id (`Nats-Msg-Id`): a retry or another replica publishing the same id
  /// within the stream's duplicate window is stored once. Empty: no de-duplication.
  std::string msg_id{};
  std::map<std::string, std::string> headers{};
  std::chrono::milliseconds ack_timeout{2000};  ///< Per attempt.
  std::chrono::milliseconds retry_for{30000};   ///< Retries on timeouts and no-responders stop after this.
};

/// What JetStream said when it stored a message.
struct PublishAck {
  std::string stream{};
  std::uint64_t sequence = 0;
  bool duplicate = false;  ///< Already stored under the same msg id: nothing new was stored.
};

/// The stream that holds the suite's events. Created or updated at start, idempotently.
struct StreamConfig {
  std::string name = "VCTP";
  std::vector<std::string> subjects{"vctp.>"};
  std::chrono::seconds max_age{std::chrono::hours(24 * 7)};
  std::chrono::seconds duplicate_window{std::chrono::hours(2)};
  bool file_storage = true;
  int replicas = 1;  ///< More only on a clustered JetStream.
};

/// The suite's stream as the settings configure it (nats_stream_replicas).
StreamConfig stream_config(const core::Settings& settings);

/// A durable pull consumer of one subject, shared by every replica of one service.
struct ConsumerConfig {
  std::string stream = "VCTP";
  std::string durable{};         ///< No dots; see durable_name().
  std::string filter_subject{};  ///< e.g. "vctp.snapshot.completed".
  /// How long a delivered message may stay unacknowledged before it is delivered again (the
  /// consumer loop keeps a message being handled alive with in-progress acks).
  std::chrono::milliseconds ack_wait{std::chrono::seconds(30)};
  /// After this many deliveries a message is given up (terminated), never redelivered forever.
  int max_deliver = 10;
  /// Server-side redelivery delays after an ack timeout; empty by default. With nats-server 2.9
  /// a backoff also stretches every nak delay (the server adds backoff[n] - ack_wait to it), and
  /// its first value replaces ack_wait, so the consumer loop's own delays (HandlerResult::retry,
  /// ConsumerOptions::retry_delay, growing with each delivery) are the usual way to back off.
  std::vector<std::chrono::milliseconds> backoff{};
  int max_ack_pending = 1000;
};

/// The durable name of `service`'s consumer of `subject`: "aggregator-vctp-snapshot-completed".
std::string durable_name(std::string_view service, std::string_view subject);

/// What the server reports about a durable consumer.
struct ConsumerState {
  std::uint64_t num_pending = 0;      ///< Not yet delivered.
  std::int64_t num_ack_pending = 0;   ///< Delivered, not yet acknowledged.
  std::int64_t num_redelivered = 0;   ///< Delivered more than once and not yet acknowledged.
  std::uint64_t delivered_stream_seq = 0;
  std::uint64_t ack_floor_stream_seq = 0;
};

/// What the server reports about a stream.
struct StreamState {
  std::uint64_t messages = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
};

class Connection;

/// An ephemeral core NATS subscription; the callback runs on a NATS thread. Destroying (or
/// close()) drains it: no callback runs after it returns. Do not destroy it from its callback.
class Subscription {
 public:
  Subscription();
  Subscription(Subscription&&) noexcept;
  Subscription& operator=(Subscription&&) noexcept;
  ~Subscription();
  void close();

 private:
  friend class Connection;
  struct Impl;
  explicit Subscription(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// One connection to NATS (a server or a cluster) with its JetStream context, built from the
/// settings: nats_url (comma-separated for a cluster), nats_user/nats_password, nats_token,
/// nats_creds_file, nats_tls_ca. Reconnects forever with backoff (logged, counted in
/// vctp_bus_reconnects_total); drains on destruction. Thread-safe. Secrets are never logged.
/// Consumers and subscriptions made on it must be destroyed first (declare the Connection first).
class Connection {
 public:
  /// Throws ConnectError for unusable settings, or when no server answers and
  /// options.retry_on_failed_connect is false.
  Connection(const core::Settings& settings, metrics::Registry& metrics, ConnectionOptions options = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// True while connected to a server.
  bool connected() const;
  /// Waits up to `timeout` for a connection; returns connected().
  bool wait_connected(std::chrono::milliseconds timeout) const;
  /// The URL of the server in use, password masked ("" when not connected).
  std::string connected_url() const;
  /// Drains subscriptions and pending publishes, then closes. Idempotent; the destructor calls it.
  void drain();

  // --- JetStream -------------------------------------------------------------------------------

  /// Creates the stream, or updates it to `config` when it exists. Retries while JetStream is not
  /// reachable, up to `retry_for`; throws BusError. The connection remembers it, and creates it
  /// again if it disappears (a server that lost its store) when a publish or consumer needs it.
  void ensure_stream(const StreamConfig& config = {},
                     std::chrono::milliseconds retry_for = std::chrono::seconds(30));
  /// Creates the durable pull consumer, or updates it to `config`. Same retries; throws BusError.
  void ensure_consumer(const ConsumerConfig& config,
                       std::chrono::milliseconds retry_for = std::chrono::seconds(30));
  /// Publishes to JetStream and waits for the stream's ack, retrying timeouts and no-responders
  /// within options.retry_for. Throws PublishError when the message was not stored.
  PublishAck publish_js(std::string_view subject, std::string_view payload, const PublishOptions& options = {});
  ConsumerState consumer_state(const std::string& stream, const std::string& durable);
  StreamState stream_state(const std::string& stream);
  /// Deletes a stream (tests and operators; services never do).
  void delete_stream(const std::string& stream);

  // --- core NATS -------------------------------------------------------------------------------

  /// Publishes without JetStream (e.g. an answer on a reply subject). Throws BusError.
  void publish(std::string_view subject, std::string_view payload,
               const std::map<std::string, std::string>& headers = {});
  /// Sends a request and waits for one answer. Throws BusError (retryable on timeout).
  Message request(std::string_view subject, std::string_view payload, std::chrono::milliseconds timeout);
  /// Subscribes (ephemeral, core NATS) with a callback; `queue_group` spreads messages over the
  /// subscribers of one group. Throws BusError.
  Subscription subscribe(std::string_view subject, std::function<void(const Message&)> callback,
                         std::string_view queue_group = {});
  /// A new unique inbox subject, for a reply-to.
  std::string new_inbox() const;

  struct Impl;  ///< Opaque (cnats handles).

 private:
  friend class Consumer;
  void remember_stream(const StreamConfig& config);
  /// Creates the last ensured stream again if the server no longer has it; true if it did.
  bool restore_stream();
  std::unique_ptr<Impl> impl_;
};

}  // namespace vctp::bus

#include "vctp/bus/consumer.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "connection_impl.hpp"
#include "nats_util.hpp"
#include "retry.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/shutdown.hpp"
#include "vctp/metrics/registry.hpp"

namespace vctp::bus {

using namespace std::chrono_literals;

struct Consumer::Impl {
  Impl(Connection& connection, ConsumerConfig cfg, Handler h, metrics::Registry& registry, ConsumerOptions opts)
      : conn(connection),
        config(std::move(cfg)),
        handler(std::move(h)),
        options(opts),
        invalid(registry.counter("vctp_bus_invalid_messages_total",
                                 "Messages terminated because they are malformed or fail their schema.",
                                 {{"consumer", config.durable}})),
        acked(registry.counter("vctp_bus_messages_total", "Messages handled by a consumer, by outcome.",
                               {{"consumer", config.durable}, {"result", "acked"}})),
        retried(registry.counter("vctp_bus_messages_total", "Messages handled by a consumer, by outcome.",
                                 {{"consumer", config.durable}, {"result", "retried"}})),
        given_up(registry.counter("vctp_bus_messages_total", "Messages handled by a consumer, by outcome.",
                                  {{"consumer", config.durable}, {"result", "given_up"}})),
        handler_seconds(registry.histogram("vctp_bus_handler_seconds", "Time spent handling one message.",
                                           metrics::duration_buckets(), {{"consumer", config.durable}})) {
    options.batch = std::max(options.batch, 1);
    options.threads = std::max(options.threads, 1);
    if (options.fetch_wait < 10ms) options.fetch_wait = 10ms;
  }

  Connection& conn;
  ConsumerConfig config;
  Handler handler;
  ConsumerOptions options;
  metrics::Counter invalid;
  metrics::Counter acked;
  metrics::Counter retried;
  metrics::Counter given_up;
  metrics::Histogram handler_seconds;

  std::unique_ptr<core::StopToken> stop_token;
  const core::StopToken* external_stop = nullptr;
  std::vector<std::thread> workers;
  std::thread keeper;

  std::mutex inflight_mutex;
  std::set<natsMsg*> inflight;

  bool stopping() const {
    return stop_token->stop_requested() || (external_stop != nullptr && external_stop->stop_requested());
  }

  /// Waits up to `d`, waking on stop; returns true if stopping.
  bool pause(std::chrono::milliseconds d) const {
    const auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
      if (stopping()) return true;
      if (stop_token->wait_for(std::min<std::chrono::milliseconds>(d, 100ms))) return true;
    }
    return stopping();
  }

  /// retry_delay doubled for each delivery after the first, at most max_retry_delay.
  std::chrono::milliseconds retry_delay_for(std::uint64_t num_delivered) const {
    auto delay = options.retry_delay;
    for (std::uint64_t n = 1; n < num_delivered && delay < options.max_retry_delay; ++n) delay *= 2;
    return std::min(delay, options.max_retry_delay);
  }

  std::chrono::milliseconds effective_ack_wait() const {
    // When backoff is set, the server uses its first value as the ack wait.
    auto wait = config.backoff.empty() ? config.ack_wait : config.backoff.front();
    return std::max<std::chrono::milliseconds>(wait, 100ms);
  }

  detail::SubscriptionPtr subscribe() {
    jsSubOptions so;
    detail::check(jsSubOptions_Init(&so), "initialise subscribe options");
    so.Stream = config.stream.c_str();
    so.Consumer = config.durable.c_str();
    // A short API wait, so that stop() is not held up by a server that does not answer.
    jsOptions jo;
    detail::check(jsOptions_Init(&jo), "initialise JetStream options");
    jo.Wait = std::min<std::int64_t>(conn.impl_->options.api_timeout.count(), 1000);
    natsSubscription* raw = nullptr;
    jsErrCode err = detail::kNoJsError;
    const char* filter = config.filter_subject.empty() ? nullptr : config.filter_subject.c_str();
    natsStatus s = js_PullSubscribe(&raw, conn.impl_->js.get(), filter, config.durable.c_str(), &jo, &so, &err);
    detail::SubscriptionPtr sub(raw, &natsSubscription_Destroy);
    if (s != NATS_OK) {
      throw BusError("NATS: cannot bind to consumer " + config.durable + ": " + detail::describe_status(s, err),
                     detail::is_transient(s, err) || s == NATS_NOT_FOUND || err == JSConsumerNotFoundErr);
    }
    return sub;
  }

  /// False only when the server says the durable (or its stream) is gone.
  bool consumer_exists() {
    if (!conn.connected()) return true;  // nothing to learn until the connection is back
    try {
      conn.consumer_state(config.stream, config.durable);
      return true;
    } catch (const BusError& e) {
      return e.retryable();
    }
  }

  void release(natsMsg* msg) {
    {
      std::lock_guard lock(inflight_mutex);
      inflight.erase(msg);
    }
    if (natsMsg_Nak(msg, nullptr) != NATS_OK) {
      core::log_debug("could not release a message; it will be redelivered after the ack wait",
                      {{"consumer", config.durable}});
    }
  }

  void handle(natsMsg* msg) {
    const Message message = detail::to_message(msg);
    std::optional<HandlerResult> result;
    const auto started = std::chrono::steady_clock::now();
    try {
      result = handler(message);
    } catch (const InvalidEvent& e) {
      result = HandlerResult::invalid(e.what());
    } catch (const std::exception& e) {
      core::log_warn("event handler failed; will retry", {{"consumer", config.durable},
                                                          {"subject", message.subject},
                                                          {"error", e.what()},
                                                          {"delivery", std::to_string(message.num_delivered)}});
      result = HandlerResult::retry(retry_delay_for(message.num_delivered));
    } catch (...) {
      core::log_warn("event handler failed with an unknown exception; will retry",
                     {{"consumer", config.durable}, {"subject", message.subject}});
      result = HandlerResult::retry(retry_delay_for(message.num_delivered));
    }
    handler_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    {
      std::lock_guard lock(inflight_mutex);
      inflight.erase(msg);
    }
    switch (result->kind()) {
      case HandlerResult::Kind::kAck: {
        jsErrCode err = detail::kNoJsError;
        natsStatus s = options.ack_sync ? natsMsg_AckSync(msg, nullptr, &err) : natsMsg_Ack(msg, nullptr);
        if (s != NATS_OK) {
          core::log_warn(
              "ack failed; the message will be delivered again",
              {{"consumer", config.durable}, {"subject", message.subject}, {"error", detail::describe_status(s, err)}});
        }
        acked.inc();
        break;
      }
      case HandlerResult::Kind::kRetry: {
        if (config.max_deliver > 0 && message.num_delivered >= static_cast<std::uint64_t>(config.max_deliver)) {
          core::log_error("giving up on a message after its last delivery",
                          {{"consumer", config.durable},
                           {"subject", message.subject},
                           {"deliveries", std::to_string(message.num_delivered)},
                           {"excerpt", detail::excerpt(message.data)}});
          if (natsMsg_Term(msg, nullptr) != NATS_OK) {
            core::log_warn("could not terminate a message", {{"consumer", config.durable}});
          }
          given_up.inc();
          break;
        }
        const auto delay = std::max<std::chrono::milliseconds>(result->delay(), 0ms);
        if (natsMsg_NakWithDelay(msg, delay.count(), nullptr) != NATS_OK) {
          core::log_warn("nak failed; the message will be delivered again after the ack wait",
                         {{"consumer", config.durable}, {"subject", message.subject}});
        }
        retried.inc();
        break;
      }
      case HandlerResult::Kind::kInvalid: {
        core::log_warn("invalid message terminated", {{"consumer", config.durable},
                                                      {"subject", message.subject},
                                                      {"reason", result->reason()},
                                                      {"excerpt", detail::excerpt(message.data)}});
        if (natsMsg_Term(msg, nullptr) != NATS_OK) {
          core::log_warn("could not terminate an invalid message; max_deliver will stop it",
                         {{"consumer", config.durable}, {"subject", message.subject}});
        }
        invalid.inc();
        break;
      }
    }
  }

  void work() {
    detail::SubscriptionPtr sub(nullptr, &natsSubscription_Destroy);
    std::chrono::milliseconds error_pause = detail::kFirstRetryPause;
    bool logged_error = false;
    auto next_check = std::chrono::steady_clock::now() + options.verify_every;
    while (!stopping()) {
      if (!sub) {
        try {
          sub = subscribe();
          if (logged_error) core::log_info("consumer bound again", {{"consumer", config.durable}});
          logged_error = false;
          error_pause = detail::kFirstRetryPause;
        } catch (const BusError& e) {
          if (!logged_error)
            core::log_warn("consumer cannot bind yet", {{"consumer", config.durable}, {"error", e.what()}});
          logged_error = true;
          if (options.ensure_consumer && conn.connected()) {
            try {
              conn.restore_stream();
              conn.ensure_consumer(config, 0ms);
            } catch (const BusError& setup_error) {
              core::log_debug("cannot set up the consumer yet",
                              {{"consumer", config.durable}, {"error", setup_error.what()}});
            }
          }
          if (pause(error_pause)) break;
          error_pause = detail::next_pause(error_pause);
          continue;
        }
      }
      natsMsgList list{nullptr, 0};
      jsErrCode err = detail::kNoJsError;
      natsStatus s = natsSubscription_Fetch(&list, sub.get(), options.batch, options.fetch_wait.count(), &err);
      if (list.Count > 0) {
        {
          std::lock_guard lock(inflight_mutex);
          for (int i = 0; i < list.Count; ++i) inflight.insert(list.Msgs[i]);
        }
        for (int i = 0; i < list.Count; ++i) {
          if (stopping()) {
            release(list.Msgs[i]);
          } else {
            handle(list.Msgs[i]);
          }
        }
        natsMsgList_Destroy(&list);
      }
      if (s == NATS_OK || s == NATS_TIMEOUT) {
        error_pause = detail::kFirstRetryPause;
        // An idle consumer checks now and then that its durable still exists (a server that
        // lost its store answers pulls with silence).
        if (s == NATS_TIMEOUT && std::chrono::steady_clock::now() >= next_check) {
          next_check = std::chrono::steady_clock::now() + options.verify_every;
          if (!consumer_exists()) sub.reset();
        }
        continue;
      }
      core::log_debug("fetch failed", {{"consumer", config.durable}, {"error", detail::describe_status(s, err)}});
      // The connection is down, or the consumer went away (a server that lost its state).
      if (s == NATS_NOT_FOUND || err == JSConsumerNotFoundErr || s == NATS_INVALID_SUBSCRIPTION ||
          s == NATS_CONNECTION_CLOSED || !consumer_exists()) {
        sub.reset();
      }
      if (pause(error_pause)) break;
      error_pause = detail::next_pause(error_pause);
    }
  }

  /// Tells the server, while handlers run, that their messages are still being worked on.
  void keep_alive() {
    const auto period = std::max<std::chrono::milliseconds>(effective_ack_wait() / 3, 50ms);
    while (!stop_token->wait_for(period)) {
      std::lock_guard lock(inflight_mutex);
      for (natsMsg* msg : inflight) {
        if (natsMsg_InProgress(msg, nullptr) != NATS_OK) {
          core::log_debug("in-progress ack failed", {{"consumer", config.durable}});
        }
      }
    }
  }
};

Consumer::Consumer(Connection& connection, ConsumerConfig config, Handler handler, metrics::Registry& metrics,
                   ConsumerOptions options)
    : impl_(std::make_unique<Impl>(connection, std::move(config), std::move(handler), metrics, options)) {}

Consumer::~Consumer() { stop(); }

void Consumer::start(const core::StopToken* stop) {
  if (running()) return;
  if (impl_->options.ensure_consumer) impl_->conn.ensure_consumer(impl_->config);
  impl_->stop_token = std::make_unique<core::StopToken>();
  impl_->external_stop = stop;
  for (int i = 0; i < impl_->options.threads; ++i) impl_->workers.emplace_back([this] { impl_->work(); });
  impl_->keeper = std::thread([this] { impl_->keep_alive(); });
  core::log_info("consumer started", {{"consumer", impl_->config.durable}, {"subject", impl_->config.filter_subject}});
}

void Consumer::stop() {
  if (!running()) return;
  impl_->stop_token->request_stop();
  for (auto& t : impl_->workers) t.join();
  impl_->workers.clear();
  impl_->keeper.join();
  core::log_info("consumer stopped", {{"consumer", impl_->config.durable}});
}

bool Consumer::running() const { return !impl_->workers.empty(); }

const ConsumerConfig& Consumer::config() const { return impl_->config; }

}  // namespace vctp::bus

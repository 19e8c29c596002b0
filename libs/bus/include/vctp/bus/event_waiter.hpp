#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>

#include "vctp/bus/connection.hpp"
#include "vctp/bus/events.hpp"

namespace vctp::bus {

/// Waits for the first event of one type that matches a predicate, e.g. the gateway waiting for
/// the vctp.aggregate.completed that carries its request_id. Subscribes (core NATS, ephemeral)
/// when constructed, so construct it before publishing the request. Payloads that do not parse
/// are ignored.
template <class Event>
class EventWaiter {
 public:
  EventWaiter(Connection& connection, std::function<bool(const Event&)> match)
      : match_(std::move(match)),
        subscription_(connection.subscribe(Event::kSubject, [this](const Message& message) { offer(message); })) {}
  ~EventWaiter() { subscription_.close(); }
  EventWaiter(const EventWaiter&) = delete;
  EventWaiter& operator=(const EventWaiter&) = delete;

  /// The matching event, or nullopt when none came within `timeout`.
  std::optional<Event> wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [this] { return found_.has_value(); });
    return found_;
  }

 private:
  void offer(const Message& message) {
    try {
      Event event = parse_event<Event>(message.data);
      if (!match_(event)) return;
      std::lock_guard lock(mutex_);
      if (!found_) found_ = std::move(event);
      cv_.notify_all();
    } catch (const InvalidEvent&) {
      // Not ours to judge: the durable consumers terminate and count invalid events.
    }
  }

  std::function<bool(const Event&)> match_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<Event> found_;
  Subscription subscription_;  // last: closed (no more callbacks) before the rest goes
};

}  // namespace vctp::bus

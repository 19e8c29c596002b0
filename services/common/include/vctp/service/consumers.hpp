#pragma once

#include <atomic>
#include <functional>
#include <string_view>
#include <thread>
#include <vector>

#include "vctp/bus/connection.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/core/clock.hpp"
#include "vctp/service/service_main.hpp"
#include "vctp/store/handled_events.hpp"

namespace vctp::service {

/// `base` made the durable consumer of `subject` that `service` reads: named by
/// bus::durable_name, filtered to that subject (the rest of `base` as given).
bus::ConsumerConfig durable_consumer(std::string_view service, std::string_view subject, bus::ConsumerConfig base = {});

/// Whether `handled` holds `event_id` (logged as a skipped redelivery when it does).
bool handled_before(store::HandledEvents& handled, const bus::Envelope& envelope);
/// Records a handled event; a database error is logged, not thrown (the work is done).
void remember_handled(store::HandledEvents& handled, const bus::Envelope& envelope, const core::Clock& clock);

/// A handler of `Event` that does each event once: JetStream delivers at least once (after a
/// server restart it can deliver an acknowledged message again), so an event whose handling
/// ended in an acknowledgement is recorded in `handled`, and a redelivery of it is acknowledged
/// again without running `handle`.
template <typename Event>
bus::Handler handle_once(store::HandledEvents& handled, const core::Clock& clock,
                         std::function<bus::HandlerResult(const Event&, const bus::Message&)> handle) {
  return bus::event_handler<Event>(
      [&handled, &clock, handle = std::move(handle)](const Event& event, const bus::Message& message) {
        if (handled_before(handled, event.envelope)) return bus::HandlerResult::ack();
        auto result = handle(event, message);
        if (result.kind() == bus::HandlerResult::Kind::kAck) remember_handled(handled, event.envelope, clock);
        return result;
      });
}

/// Joins and clears a service's threads (after its stop token is set).
void join_all(std::vector<std::thread>& threads);

/// A pipeline service's part of JetStream: the suite's stream and the service's consumers, set up
/// on a thread of their own once NATS answers (NATS may come up after the service, and start()
/// must return at once and a stop never be held up), and the readiness checks "database" and
/// "nats" that wait for them.
class BusSetup {
 public:
  /// Adds the readiness checks to context.readiness.
  explicit BusSetup(ServiceContext& context);
  ~BusSetup();  ///< joins (the context's stop token must have been set)
  BusSetup(const BusSetup&) = delete;
  BusSetup& operator=(const BusSetup&) = delete;

  /// Starts the thread: makes sure the stream exists, then runs `consumers` (which creates and
  /// starts the service's consumers; throws when it cannot), retrying both until they succeed or
  /// the service stops, and calling `undo` after each failure (see set_up_when_ready).
  void start(std::function<void()> consumers, std::function<void()> undo);
  /// Waits for the thread, after the context's stop token is set. Once it returns, nothing else
  /// touches the service's consumers.
  void join();

 private:
  ServiceContext& context_;
  std::atomic<bool> set_up_{false};
  std::thread thread_;
};

}  // namespace vctp::service

#include "vctp/service/consumers.hpp"

#include <chrono>
#include <string>

#include "vctp/core/logging.hpp"
#include "vctp/service/readiness.hpp"

namespace vctp::service {

bus::ConsumerConfig durable_consumer(std::string_view service, std::string_view subject, bus::ConsumerConfig base) {
  base.durable = bus::durable_name(service, subject);
  base.filter_subject = std::string(subject);
  return base;
}

bool handled_before(store::HandledEvents& handled, const bus::Envelope& envelope) {
  if (!handled.contains(envelope.id)) return false;
  core::log_info("event handled before; its redelivery is skipped", {{"event", envelope.type}, {"id", envelope.id}});
  return true;
}

void remember_handled(store::HandledEvents& handled, const bus::Envelope& envelope, const core::Clock& clock) {
  try {
    handled.add(envelope.id, clock.now());
  } catch (const std::exception& e) {
    // The work is done: a redelivery would do it again, which the handlers survive.
    core::log_warn("cannot record a handled event",
                   {{"event", envelope.type}, {"id", envelope.id}, {"error", e.what()}});
  }
}

void join_all(std::vector<std::thread>& threads) {
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  threads.clear();
}

BusSetup::BusSetup(ServiceContext& context) : context_(context) {
  add_pipeline_checks(context_.readiness, context_.db, context_.nats, &set_up_);
}

BusSetup::~BusSetup() { join(); }

void BusSetup::start(std::function<void()> consumers, std::function<void()> undo) {
  thread_ = std::thread([this, consumers = std::move(consumers), undo = std::move(undo)] {
    set_up_ = set_up_when_ready(
        context_.stop, "NATS",
        [&] {
          context_.nats.ensure_stream(bus::stream_config(context_.settings), std::chrono::seconds(2));
          consumers();
        },
        undo);
  });
}

void BusSetup::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace vctp::service

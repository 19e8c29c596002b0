#include "vctp/service/consumers.hpp"

#include <chrono>
#include <string>

#include "vctp/service/readiness.hpp"

namespace vctp::service {

bus::ConsumerConfig durable_consumer(std::string_view service, std::string_view subject, bus::ConsumerConfig base) {
  base.durable = bus::durable_name(service, subject);
  base.filter_subject = std::string(subject);
  return base;
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

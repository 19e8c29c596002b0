#include <functional>
#include <string>

#include "connection_impl.hpp"
#include "nats_util.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/core/logging.hpp"

namespace vctp::bus {

using detail::check;
using detail::describe_status;

struct Subscription::Impl {
  detail::SubscriptionPtr sub{nullptr, &natsSubscription_Destroy};
  std::function<void(const Message&)> callback;

  static void on_message(natsConnection* /*nc*/, natsSubscription* /*sub*/, natsMsg* msg, void* closure) {
    detail::MsgPtr owned(msg, &natsMsg_Destroy);
    auto* self = static_cast<Impl*>(closure);
    Message m = detail::to_message(msg);
    try {
      self->callback(m);
    } catch (const std::exception& e) {
      core::log_error("NATS subscription callback failed", {{"subject", m.subject}, {"error", e.what()}});
    } catch (...) {
      core::log_error("NATS subscription callback failed with an unknown exception", {{"subject", m.subject}});
    }
  }

  void close() {
    if (sub == nullptr) return;
    natsStatus s = natsSubscription_Drain(sub.get());
    if (s == NATS_OK) {
      s = natsSubscription_WaitForDrainCompletion(sub.get(), 5000);
      if (s != NATS_OK) core::log_warn("NATS subscription drain incomplete", {{"error", describe_status(s)}});
    } else if (natsSubscription_IsValid(sub.get())) {
      s = natsSubscription_Unsubscribe(sub.get());
      if (s != NATS_OK) core::log_debug("NATS unsubscribe failed", {{"error", describe_status(s)}});
    }
    sub.reset();
  }
};

Subscription::Subscription() = default;
Subscription::Subscription(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Subscription::Subscription(Subscription&&) noexcept = default;
Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Subscription::~Subscription() { close(); }
void Subscription::close() {
  if (impl_) impl_->close();
}

Subscription Connection::subscribe(std::string_view subject, std::function<void(const Message&)> callback,
                                   std::string_view queue_group) {
  auto impl = std::make_unique<Subscription::Impl>();
  impl->callback = std::move(callback);
  const std::string subj(subject);
  const std::string queue(queue_group);
  natsSubscription* raw = nullptr;
  natsStatus s = queue.empty() ? natsConnection_Subscribe(&raw, impl_->nc.get(), subj.c_str(),
                                                          &Subscription::Impl::on_message, impl.get())
                               : natsConnection_QueueSubscribe(&raw, impl_->nc.get(), subj.c_str(), queue.c_str(),
                                                               &Subscription::Impl::on_message, impl.get());
  impl->sub.reset(raw);
  check(s, "subscribe to " + subj);
  // Make sure the server knows about the interest before the caller publishes anything; when
  // disconnected the subscription is sent on reconnect, so a failed flush is not an error.
  s = natsConnection_FlushTimeout(impl_->nc.get(), 2000);
  if (s != NATS_OK) core::log_debug("NATS flush after subscribe failed", {{"error", describe_status(s)}});
  return Subscription(std::move(impl));
}

}  // namespace vctp::bus

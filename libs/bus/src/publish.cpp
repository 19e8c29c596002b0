#include <string>

#include "connection_impl.hpp"
#include "nats_util.hpp"
#include "retry.hpp"
#include "vctp/bus/connection.hpp"

namespace vctp::bus {

using detail::Attempt;
using detail::check;
using detail::describe_status;

PublishAck Connection::publish_js(std::string_view subject, std::string_view payload, const PublishOptions& options) {
  PublishAck ack;
  natsStatus s = NATS_OK;
  jsErrCode err = detail::kNoJsError;
  auto attempt = [&] {
    detail::MsgPtr msg = detail::make_message(subject, payload, options.headers);
    jsPubOptions po;
    check(jsPubOptions_Init(&po), "initialise publish options");
    po.MaxWait = options.ack_timeout.count();
    po.MsgId = options.msg_id.empty() ? nullptr : options.msg_id.c_str();
    jsPubAck* raw_ack = nullptr;
    err = detail::kNoJsError;
    s = js_PublishMsg(&raw_ack, impl_->js.get(), msg.get(), &po, &err);
    detail::PubAckPtr stored(raw_ack, &jsPubAck_Destroy);
    if (s == NATS_OK && stored != nullptr) {
      ack = PublishAck{stored->Stream ? stored->Stream : "", stored->Sequence, stored->Duplicate};
      return Attempt::kDone;
    }
    if (s == NATS_NO_RESPONDERS && restore_stream()) return Attempt::kAgainNow;
    return detail::failure(s, err);
  };
  const Attempt result = detail::retry_transient(options.retry_for, attempt, [this] { impl_->publish_retries.inc(); });
  if (result == Attempt::kDone) return ack;
  impl_->publish_failures.inc();
  const bool transient = result == Attempt::kTransient;
  throw PublishError("NATS: event on " + std::string(subject) + " was not stored by JetStream: " +
                         describe_status(s, err) + (transient ? " (gave up retrying)" : ""),
                     transient);
}

void Connection::publish(std::string_view subject, std::string_view payload,
                         const std::map<std::string, std::string>& headers) {
  detail::MsgPtr msg = detail::make_message(subject, payload, headers);
  check(natsConnection_PublishMsg(impl_->nc.get(), msg.get()), "publish on " + std::string(subject));
}

Message Connection::request(std::string_view subject, std::string_view payload, std::chrono::milliseconds timeout) {
  detail::MsgPtr msg = detail::make_message(subject, payload, {});
  natsMsg* raw = nullptr;
  natsStatus s = natsConnection_RequestMsg(&raw, impl_->nc.get(), msg.get(), timeout.count());
  detail::MsgPtr reply(raw, &natsMsg_Destroy);
  check(s, "request on " + std::string(subject));
  return detail::to_message(reply.get());
}

bool is_reply_subject(std::string_view subject) {
  constexpr std::string_view kInboxPrefix = "_INBOX.";
  constexpr std::size_t kMaxLength = 256;
  if (subject.size() <= kInboxPrefix.size() || subject.size() > kMaxLength) return false;
  if (subject.substr(0, kInboxPrefix.size()) != kInboxPrefix) return false;
  bool token_empty = true;
  for (const char c : subject.substr(kInboxPrefix.size())) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.') {
      if (token_empty) return false;
      token_empty = true;
      continue;
    }
    if (u <= 0x20 || u == 0x7f || c == '*' || c == '>') return false;
    token_empty = false;
  }
  return !token_empty;
}

std::string Connection::new_inbox() const {
  natsInbox* raw = nullptr;
  natsStatus s = natsInbox_Create(&raw);
  detail::InboxPtr inbox(raw, &natsInbox_Destroy);
  check(s, "create an inbox");
  return inbox.get();
}

}  // namespace vctp::bus

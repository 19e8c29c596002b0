#include "vctp/bus/connection.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "connection_impl.hpp"
#include "nats_util.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/secrets.hpp"
#include "vctp/core/settings.hpp"

namespace vctp::bus {

using namespace std::chrono_literals;
using detail::check;
using detail::describe_status;
using detail::is_transient;

namespace {

std::vector<std::string> split_urls(const std::string& text) {
  std::vector<std::string> urls;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string url = text.substr(start, end - start);
    url.erase(0, url.find_first_not_of(" \t"));
    url.erase(url.find_last_not_of(" \t") + 1);
    if (!url.empty()) urls.push_back(url);
    start = end + 1;
  }
  return urls;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ",";
    out += item;
  }
  return out;
}

std::string connected_url_of(natsConnection* nc) {
  char buf[512] = {0};
  if (natsConnection_GetConnectedUrl(nc, buf, sizeof buf) != NATS_OK) return "";
  return core::mask_url_password(buf);
}

void on_connected(natsConnection* nc, void* closure) {
  auto* impl = static_cast<Connection::Impl*>(closure);
  impl->connected_gauge.set(1);
  core::log_info("NATS connected", {{"url", connected_url_of(nc)}});
}

void on_disconnected(natsConnection* /*nc*/, void* closure) {
  auto* impl = static_cast<Connection::Impl*>(closure);
  impl->connected_gauge.set(0);
  impl->disconnects.inc();
  bool closing = false;
  {
    std::lock_guard lock(impl->mutex);
    closing = impl->drained;
  }
  if (!closing) core::log_warn("NATS disconnected; reconnecting", {{"servers", join(impl->masked_urls)}});
}

void on_reconnected(natsConnection* nc, void* closure) {
  auto* impl = static_cast<Connection::Impl*>(closure);
  impl->connected_gauge.set(1);
  impl->reconnects.inc();
  core::log_info("NATS reconnected", {{"url", connected_url_of(nc)}});
}

void on_closed(natsConnection* /*nc*/, void* closure) {
  auto* impl = static_cast<Connection::Impl*>(closure);
  impl->connected_gauge.set(0);
  std::lock_guard lock(impl->mutex);
  impl->closed = true;
  impl->closed_cv.notify_all();
}

void on_error(natsConnection* /*nc*/, natsSubscription* /*sub*/, natsStatus err, void* /*closure*/) {
  core::log_warn("NATS asynchronous error", {{"error", natsStatus_GetText(err)}});
}

int64_t reconnect_delay(natsConnection* /*nc*/, int attempts, void* closure) {
  auto* impl = static_cast<Connection::Impl*>(closure);
  const auto min = impl->options.reconnect_wait_min.count();
  const auto max = impl->options.reconnect_wait_max.count();
  int64_t delay = std::max<int64_t>(min, 1);
  for (int i = 1; i < attempts && delay < max; ++i) delay *= 2;
  return std::min<int64_t>(delay, std::max<int64_t>(max, 1));
}

void require_readable(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  if (!in) {
    throw ConnectError("NATS: " + key + " '" + path + "' cannot be read: check the path and its permissions",
                       false);
  }
}

/// Sleeps `d` unless the deadline comes first; returns false when the deadline has passed.
bool backoff_before(std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds& d) {
  const auto now = std::chrono::steady_clock::now();
  if (now + d > deadline) return false;
  std::this_thread::sleep_for(d);
  d = std::min<std::chrono::milliseconds>(d * 2, 2s);
  return true;
}

}  // namespace

std::optional<std::string> Message::header(const std::string& name) const {
  auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::string durable_name(std::string_view service, std::string_view subject) {
  std::string name(service);
  name += '-';
  name += subject;
  for (char& c : name) {
    if (c == '.' || c == '*' || c == '>' || c == ' ') c = '-';
  }
  return name;
}

Connection::Impl::Impl(metrics::Registry& registry, ConnectionOptions opts)
    : options(std::move(opts)),
      metrics(registry),
      reconnects(registry.counter("vctp_bus_reconnects_total", "Reconnections to NATS.")),
      disconnects(registry.counter("vctp_bus_disconnects_total", "Disconnections from NATS.")),
      connected_gauge(registry.gauge("vctp_bus_connected", "1 while connected to NATS.")),
      publish_retries(registry.counter("vctp_bus_publish_retries_total",
                                       "JetStream publishes retried after a timeout or no responders.")),
      publish_failures(registry.counter("vctp_bus_publish_failures_total",
                                        "JetStream publishes that were not stored.")) {}

Connection::Impl::~Impl() {
  drain();
  if (js != nullptr) jsCtx_Destroy(js);
  if (nc != nullptr) natsConnection_Destroy(nc);
}

void Connection::Impl::drain() {
  {
    std::lock_guard lock(mutex);
    if (drained || nc == nullptr) return;
    drained = true;
  }
  natsStatus s = natsConnection_DrainTimeout(nc, options.drain_timeout.count());
  if (s != NATS_OK) natsConnection_Close(nc);
  std::unique_lock lock(mutex);
  if (!closed_cv.wait_for(lock, options.drain_timeout + 2s, [this] { return closed; })) {
    lock.unlock();
    core::log_warn("NATS drain did not finish in time; closing", {{"servers", join(masked_urls)}});
    natsConnection_Close(nc);
    lock.lock();
    // The close callback holds a pointer to this object: wait for it before going away.
    closed_cv.wait_for(lock, 5s, [this] { return closed; });
  }
}

Connection::Connection(const core::Settings& settings, metrics::Registry& metrics, ConnectionOptions options)
    : impl_(std::make_unique<Impl>(metrics, std::move(options))) {
  const std::vector<std::string> urls = split_urls(settings.nats_url);
  if (urls.empty()) throw ConnectError("NATS: nats_url is empty: set one or more nats:// URLs", false);
  for (const auto& url : urls) impl_->masked_urls.push_back(core::mask_url_password(url));

  natsOptions* raw = nullptr;
  check(natsOptions_Create(&raw), "create connection options");
  detail::OptionsPtr opts(raw, &natsOptions_Destroy);
  std::vector<const char*> servers;
  for (const auto& url : urls) servers.push_back(url.c_str());
  if (natsOptions_SetServers(opts.get(), servers.data(), static_cast<int>(servers.size())) != NATS_OK) {
    throw ConnectError("NATS: nats_url '" + join(impl_->masked_urls) + "' is not a valid list of URLs", false);
  }
  auto* closure = impl_.get();
  check(natsOptions_SetName(opts.get(), impl_->options.name.c_str()), "set the client name");
  check(natsOptions_SetTimeout(opts.get(), impl_->options.connect_timeout.count()), "set the connect timeout");
  check(natsOptions_SetAllowReconnect(opts.get(), true), "allow reconnects");
  check(natsOptions_SetMaxReconnect(opts.get(), -1), "set unlimited reconnects");
  check(natsOptions_SetCustomReconnectDelay(opts.get(), &reconnect_delay, closure), "set the reconnect delay");
  check(natsOptions_SetDisconnectedCB(opts.get(), &on_disconnected, closure), "set the disconnect callback");
  check(natsOptions_SetReconnectedCB(opts.get(), &on_reconnected, closure), "set the reconnect callback");
  check(natsOptions_SetClosedCB(opts.get(), &on_closed, closure), "set the close callback");
  check(natsOptions_SetErrorHandler(opts.get(), &on_error, closure), "set the error handler");
  if (impl_->options.retry_on_failed_connect) {
    check(natsOptions_SetRetryOnFailedConnect(opts.get(), true, &on_connected, closure),
          "retry a failed first connect");
  }
  if (!settings.nats_user.empty()) {
    check(natsOptions_SetUserInfo(opts.get(), settings.nats_user.c_str(), settings.nats_password.c_str()),
          "set the user name and password");
  }
  if (!settings.nats_token.empty()) {
    check(natsOptions_SetToken(opts.get(), settings.nats_token.c_str()), "set the token");
  }
  if (!settings.nats_creds_file.empty()) {
    require_readable(settings.nats_creds_file, "nats_creds_file");
    if (natsOptions_SetUserCredentialsFromFiles(opts.get(), settings.nats_creds_file.c_str(), nullptr) != NATS_OK) {
      throw ConnectError("NATS: nats_creds_file '" + settings.nats_creds_file + "' is not a usable credentials file",
                         false);
    }
  }
  if (!settings.nats_tls_ca.empty()) {
    require_readable(settings.nats_tls_ca, "nats_tls_ca");
    if (natsOptions_LoadCATrustedCertificates(opts.get(), settings.nats_tls_ca.c_str()) != NATS_OK) {
      throw ConnectError("NATS: nats_tls_ca '" + settings.nats_tls_ca + "' is not a PEM CA certificate: " +
                             describe_status(NATS_SSL_ERROR),
                         false);
    }
    check(natsOptions_SetSecure(opts.get(), true), "require TLS");
  }

  natsStatus s = natsConnection_Connect(&impl_->nc, opts.get());
  if (s == NATS_NOT_YET_CONNECTED) {
    core::log_warn("no NATS server reachable yet; connecting in the background",
                   {{"servers", join(impl_->masked_urls)}});
  } else if (s != NATS_OK) {
    const std::string why = describe_status(s);
    if (impl_->nc != nullptr) {
      natsConnection_Destroy(impl_->nc);
      impl_->nc = nullptr;
    }
    throw ConnectError("NATS: cannot connect to " + join(impl_->masked_urls) + ": " + why, is_transient(s));
  } else {
    impl_->connected_gauge.set(1);
    core::log_info("NATS connected", {{"url", connected_url_of(impl_->nc)}});
  }

  jsOptions jo;
  check(jsOptions_Init(&jo), "initialise JetStream options");
  jo.Wait = impl_->options.api_timeout.count();
  check(natsConnection_JetStream(&impl_->js, impl_->nc, &jo), "create the JetStream context");
}

Connection::~Connection() = default;

bool Connection::connected() const {
  return impl_->nc != nullptr && natsConnection_Status(impl_->nc) == NATS_CONN_STATUS_CONNECTED;
}

bool Connection::wait_connected(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!connected()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::string Connection::connected_url() const {
  if (!connected()) return "";
  return connected_url_of(impl_->nc);
}

void Connection::drain() { impl_->drain(); }

StreamConfig stream_config(const core::Settings& settings) {
  StreamConfig config;
  config.replicas = static_cast<int>(settings.nats_stream_replicas);
  return config;
}

void Connection::remember_stream(const StreamConfig& config) {
  std::lock_guard lock(impl_->mutex);
  impl_->ensured_stream = config;
}

bool Connection::restore_stream() {
  std::optional<StreamConfig> config;
  {
    std::lock_guard lock(impl_->mutex);
    config = impl_->ensured_stream;
  }
  if (!config || !connected()) return false;
  jsStreamInfo* si = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, impl_->js, config->name.c_str(), nullptr, &err);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(si);
    return false;
  }
  if (s != NATS_NOT_FOUND && err != JSStreamNotFoundErr) return false;
  core::log_warn("JetStream stream has disappeared; creating it again", {{"stream", config->name}});
  try {
    ensure_stream(*config, std::chrono::milliseconds(0));
    return true;
  } catch (const BusError& e) {
    core::log_warn("cannot create the stream again", {{"stream", config->name}, {"error", e.what()}});
    return false;
  }
}

void Connection::ensure_stream(const StreamConfig& config, std::chrono::milliseconds retry_for) {
  std::vector<const char*> subjects;
  for (const auto& s : config.subjects) subjects.push_back(s.c_str());
  jsStreamConfig cfg;
  check(jsStreamConfig_Init(&cfg), "initialise a stream configuration");
  cfg.Name = config.name.c_str();
  cfg.Subjects = subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Storage = config.file_storage ? js_FileStorage : js_MemoryStorage;
  cfg.Retention = js_LimitsPolicy;
  cfg.Discard = js_DiscardOld;
  cfg.MaxAge = std::chrono::duration_cast<std::chrono::nanoseconds>(config.max_age).count();
  cfg.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(config.duplicate_window).count();
  cfg.Replicas = config.replicas;

  const auto deadline = std::chrono::steady_clock::now() + retry_for;
  auto delay = std::chrono::milliseconds(100);
  while (true) {
    jsErrCode err = static_cast<jsErrCode>(0);
    jsStreamInfo* si = nullptr;
    natsStatus s = js_AddStream(&si, impl_->js, &cfg, nullptr, &err);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(si);
      remember_stream(config);
      core::log_info("JetStream stream ready", {{"stream", config.name}});
      return;
    }
    if (err == JSStreamNameExistErr) {
      err = static_cast<jsErrCode>(0);
      s = js_UpdateStream(&si, impl_->js, &cfg, nullptr, &err);
      if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        remember_stream(config);
        core::log_info("JetStream stream updated", {{"stream", config.name}});
        return;
      }
    }
    const bool transient = is_transient(s, err);
    if (!transient || !backoff_before(deadline, delay)) {
      throw BusError("NATS: cannot create or update stream " + config.name + ": " + describe_status(s, err),
                     transient);
    }
  }
}

void Connection::ensure_consumer(const ConsumerConfig& config, std::chrono::milliseconds retry_for) {
  if (config.durable.empty() || config.durable.find('.') != std::string::npos) {
    throw BusError("NATS: durable consumer name '" + config.durable + "' must be non-empty and have no dots", false);
  }
  std::vector<int64_t> backoff;
  for (auto d : config.backoff) backoff.push_back(detail::to_nanos(d));
  jsConsumerConfig cc;
  check(jsConsumerConfig_Init(&cc), "initialise a consumer configuration");
  cc.Durable = config.durable.c_str();
  cc.AckPolicy = js_AckExplicit;
  cc.DeliverPolicy = js_DeliverAll;
  cc.FilterSubject = config.filter_subject.empty() ? nullptr : config.filter_subject.c_str();
  cc.AckWait = detail::to_nanos(config.ack_wait);
  cc.MaxDeliver = config.max_deliver;
  cc.BackOff = backoff.empty() ? nullptr : backoff.data();
  cc.BackOffLen = static_cast<int>(backoff.size());
  cc.MaxAckPending = config.max_ack_pending;

  const auto deadline = std::chrono::steady_clock::now() + retry_for;
  auto delay = std::chrono::milliseconds(100);
  while (true) {
    jsErrCode err = static_cast<jsErrCode>(0);
    jsConsumerInfo* ci = nullptr;
    natsStatus s = js_AddConsumer(&ci, impl_->js, config.stream.c_str(), &cc, nullptr, &err);
    if (s == NATS_OK) {
      jsConsumerInfo_Destroy(ci);
      core::log_info("JetStream consumer ready", {{"stream", config.stream}, {"consumer", config.durable}});
      return;
    }
    std::string why = describe_status(s, err);
    if (err != 0 && !is_transient(s, err)) {
      // It exists with another configuration: bring it up to date.
      jsErrCode update_err = static_cast<jsErrCode>(0);
      natsStatus us = js_UpdateConsumer(&ci, impl_->js, config.stream.c_str(), &cc, nullptr, &update_err);
      if (us == NATS_OK) {
        jsConsumerInfo_Destroy(ci);
        core::log_info("JetStream consumer updated", {{"stream", config.stream}, {"consumer", config.durable}});
        return;
      }
      why += "; update: " + describe_status(us, update_err);
    }
    const bool transient = is_transient(s, err);
    if (!transient || !backoff_before(deadline, delay)) {
      throw BusError("NATS: cannot create or update consumer " + config.durable + " on stream " + config.stream +
                         ": " + why,
                     transient);
    }
  }
}

PublishAck Connection::publish_js(std::string_view subject, std::string_view payload, const PublishOptions& options) {
  const auto deadline = std::chrono::steady_clock::now() + options.retry_for;
  auto delay = std::chrono::milliseconds(100);
  while (true) {
    detail::MsgPtr msg = detail::make_message(subject, payload, options.headers);
    jsPubOptions po;
    check(jsPubOptions_Init(&po), "initialise publish options");
    po.MaxWait = options.ack_timeout.count();
    po.MsgId = options.msg_id.empty() ? nullptr : options.msg_id.c_str();
    jsPubAck* raw_ack = nullptr;
    jsErrCode err = static_cast<jsErrCode>(0);
    natsStatus s = js_PublishMsg(&raw_ack, impl_->js, msg.get(), &po, &err);
    if (s == NATS_OK && raw_ack != nullptr) {
      detail::PubAckPtr ack(raw_ack, &jsPubAck_Destroy);
      return PublishAck{ack->Stream ? ack->Stream : "", ack->Sequence, ack->Duplicate};
    }
    if (raw_ack != nullptr) jsPubAck_Destroy(raw_ack);
    if (s == NATS_NO_RESPONDERS && restore_stream()) continue;
    const bool transient = is_transient(s, err);
    if (transient && backoff_before(deadline, delay)) {
      impl_->publish_retries.inc();
      continue;
    }
    impl_->publish_failures.inc();
    throw PublishError("NATS: event on " + std::string(subject) + " was not stored by JetStream: " +
                           describe_status(s, err) + (transient ? " (gave up retrying)" : ""),
                       transient);
  }
}

ConsumerState Connection::consumer_state(const std::string& stream, const std::string& durable) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  check(js_GetConsumerInfo(&raw, impl_->js, stream.c_str(), durable.c_str(), nullptr, &err),
        "get consumer " + durable, err);
  detail::ConsumerInfoPtr ci(raw, &jsConsumerInfo_Destroy);
  ConsumerState state;
  state.num_pending = ci->NumPending;
  state.num_ack_pending = ci->NumAckPending;
  state.num_redelivered = ci->NumRedelivered;
  state.delivered_stream_seq = ci->Delivered.Stream;
  state.ack_floor_stream_seq = ci->AckFloor.Stream;
  return state;
}

StreamState Connection::stream_state(const std::string& stream) {
  jsStreamInfo* raw = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  check(js_GetStreamInfo(&raw, impl_->js, stream.c_str(), nullptr, &err), "get stream " + stream, err);
  detail::StreamInfoPtr si(raw, &jsStreamInfo_Destroy);
  return StreamState{si->State.Msgs, si->State.FirstSeq, si->State.LastSeq};
}

void Connection::delete_stream(const std::string& stream) {
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_DeleteStream(impl_->js, stream.c_str(), nullptr, &err);
  if (s == NATS_NOT_FOUND || err == JSStreamNotFoundErr) return;
  check(s, "delete stream " + stream, err);
}

void Connection::publish(std::string_view subject, std::string_view payload,
                         const std::map<std::string, std::string>& headers) {
  detail::MsgPtr msg = detail::make_message(subject, payload, headers);
  check(natsConnection_PublishMsg(impl_->nc, msg.get()), "publish on " + std::string(subject));
}

Message Connection::request(std::string_view subject, std::string_view payload, std::chrono::milliseconds timeout) {
  detail::MsgPtr msg = detail::make_message(subject, payload, {});
  natsMsg* raw = nullptr;
  check(natsConnection_RequestMsg(&raw, impl_->nc, msg.get(), timeout.count()), "request on " + std::string(subject));
  detail::MsgPtr reply(raw, &natsMsg_Destroy);
  return detail::to_message(reply.get());
}

struct Subscription::Impl {
  natsSubscription* sub = nullptr;
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
    natsStatus s = natsSubscription_Drain(sub);
    if (s == NATS_OK) {
      s = natsSubscription_WaitForDrainCompletion(sub, 5000);
      if (s != NATS_OK) core::log_warn("NATS subscription drain incomplete", {{"error", describe_status(s)}});
    } else if (natsSubscription_IsValid(sub)) {
      s = natsSubscription_Unsubscribe(sub);
      if (s != NATS_OK) core::log_debug("NATS unsubscribe failed", {{"error", describe_status(s)}});
    }
    natsSubscription_Destroy(sub);
    sub = nullptr;
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
  natsStatus s = queue.empty()
                     ? natsConnection_Subscribe(&impl->sub, impl_->nc, subj.c_str(), &Subscription::Impl::on_message,
                                                impl.get())
                     : natsConnection_QueueSubscribe(&impl->sub, impl_->nc, subj.c_str(), queue.c_str(),
                                                     &Subscription::Impl::on_message, impl.get());
  check(s, "subscribe to " + subj);
  // Make sure the server knows about the interest before the caller publishes anything; when
  // disconnected the subscription is sent on reconnect, so a failed flush is not an error.
  s = natsConnection_FlushTimeout(impl_->nc, 2000);
  if (s != NATS_OK) core::log_debug("NATS flush after subscribe failed", {{"error", describe_status(s)}});
  return Subscription(std::move(impl));
}

std::string Connection::new_inbox() const {
  natsInbox* inbox = nullptr;
  check(natsInbox_Create(&inbox), "create an inbox");
  std::string out = inbox;
  natsInbox_Destroy(inbox);
  return out;
}

}  // namespace vctp::bus

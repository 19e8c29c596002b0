#include "vctp/bus/connection.hpp"

#include <algorithm>
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
    throw ConnectError("NATS: " + key + " '" + path + "' cannot be read: check the path and its permissions", false);
  }
}

/// The reconnect behaviour and the callbacks, which all get `impl` as their closure.
void set_callbacks(natsOptions* opts, Connection::Impl& impl) {
  auto* closure = &impl;
  check(natsOptions_SetName(opts, impl.options.name.c_str()), "set the client name");
  check(natsOptions_SetTimeout(opts, impl.options.connect_timeout.count()), "set the connect timeout");
  check(natsOptions_SetAllowReconnect(opts, true), "allow reconnects");
  check(natsOptions_SetMaxReconnect(opts, -1), "set unlimited reconnects");
  check(natsOptions_SetCustomReconnectDelay(opts, &reconnect_delay, closure), "set the reconnect delay");
  check(natsOptions_SetDisconnectedCB(opts, &on_disconnected, closure), "set the disconnect callback");
  check(natsOptions_SetReconnectedCB(opts, &on_reconnected, closure), "set the reconnect callback");
  check(natsOptions_SetClosedCB(opts, &on_closed, closure), "set the close callback");
  check(natsOptions_SetErrorHandler(opts, &on_error, closure), "set the error handler");
  if (impl.options.retry_on_failed_connect) {
    check(natsOptions_SetRetryOnFailedConnect(opts, true, &on_connected, closure), "retry a failed first connect");
  }
}

/// User and password, token, credentials file and TLS CA, as far as the settings give them.
void set_credentials(natsOptions* opts, const core::Settings& settings) {
  if (!settings.nats_user.empty()) {
    check(natsOptions_SetUserInfo(opts, settings.nats_user.c_str(), settings.nats_password.c_str()),
          "set the user name and password");
  }
  if (!settings.nats_token.empty()) {
    check(natsOptions_SetToken(opts, settings.nats_token.c_str()), "set the token");
  }
  if (!settings.nats_creds_file.empty()) {
    require_readable(settings.nats_creds_file, "nats_creds_file");
    if (natsOptions_SetUserCredentialsFromFiles(opts, settings.nats_creds_file.c_str(), nullptr) != NATS_OK) {
      throw ConnectError("NATS: nats_creds_file '" + settings.nats_creds_file + "' is not a usable credentials file",
                         false);
    }
  }
  if (!settings.nats_tls_ca.empty()) {
    require_readable(settings.nats_tls_ca, "nats_tls_ca");
    if (natsOptions_LoadCATrustedCertificates(opts, settings.nats_tls_ca.c_str()) != NATS_OK) {
      throw ConnectError("NATS: nats_tls_ca '" + settings.nats_tls_ca +
                             "' is not a PEM CA certificate: " + describe_status(NATS_SSL_ERROR),
                         false);
    }
    check(natsOptions_SetSecure(opts, true), "require TLS");
  }
}

detail::OptionsPtr make_options(const std::vector<std::string>& urls, const core::Settings& settings,
                                Connection::Impl& impl) {
  natsOptions* raw = nullptr;
  check(natsOptions_Create(&raw), "create connection options");
  detail::OptionsPtr opts(raw, &natsOptions_Destroy);
  std::vector<const char*> servers;
  for (const auto& url : urls) servers.push_back(url.c_str());
  if (natsOptions_SetServers(opts.get(), servers.data(), static_cast<int>(servers.size())) != NATS_OK) {
    throw ConnectError("NATS: nats_url '" + join(impl.masked_urls) + "' is not a valid list of URLs", false);
  }
  set_callbacks(opts.get(), impl);
  set_credentials(opts.get(), settings);
  return opts;
}

/// Connects, or starts connecting in the background when no server answers yet and the options
/// allow it. Throws ConnectError.
void connect(Connection::Impl& impl, natsOptions* opts) {
  natsConnection* raw = nullptr;
  natsStatus s = natsConnection_Connect(&raw, opts);
  impl.nc.reset(raw);
  if (s == NATS_NOT_YET_CONNECTED) {
    core::log_warn("no NATS server reachable yet; connecting in the background", {{"servers", join(impl.masked_urls)}});
  } else if (s != NATS_OK) {
    const std::string why = describe_status(s);
    impl.nc.reset();
    throw ConnectError("NATS: cannot connect to " + join(impl.masked_urls) + ": " + why, is_transient(s));
  } else {
    impl.connected_gauge.set(1);
    core::log_info("NATS connected", {{"url", connected_url_of(impl.nc.get())}});
  }
}

void open_jetstream(Connection::Impl& impl) {
  jsOptions jo;
  check(jsOptions_Init(&jo), "initialise JetStream options");
  jo.Wait = impl.options.api_timeout.count();
  jsCtx* raw = nullptr;
  natsStatus s = natsConnection_JetStream(&raw, impl.nc.get(), &jo);
  impl.js.reset(raw);
  check(s, "create the JetStream context");
}

}  // namespace

Connection::Impl::Impl(metrics::Registry& registry, ConnectionOptions opts)
    : options(std::move(opts)),
      metrics(registry),
      reconnects(registry.counter("vctp_bus_reconnects_total", "Reconnections to NATS.")),
      disconnects(registry.counter("vctp_bus_disconnects_total", "Disconnections from NATS.")),
      connected_gauge(registry.gauge("vctp_bus_connected", "1 while connected to NATS.")),
      publish_retries(registry.counter("vctp_bus_publish_retries_total",
                                       "JetStream publishes retried after a timeout or no responders.")),
      publish_failures(
          registry.counter("vctp_bus_publish_failures_total", "JetStream publishes that were not stored.")) {}

Connection::Impl::~Impl() {
  drain();
  // Free the handles before the members their callbacks use; the context before its connection.
  js.reset();
  nc.reset();
}

void Connection::Impl::drain() {
  {
    std::lock_guard lock(mutex);
    if (drained || nc == nullptr) return;
    drained = true;
  }
  natsStatus s = natsConnection_DrainTimeout(nc.get(), options.drain_timeout.count());
  if (s != NATS_OK) natsConnection_Close(nc.get());
  std::unique_lock lock(mutex);
  if (!closed_cv.wait_for(lock, options.drain_timeout + 2s, [this] { return closed; })) {
    lock.unlock();
    core::log_warn("NATS drain did not finish in time; closing", {{"servers", join(masked_urls)}});
    natsConnection_Close(nc.get());
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
  detail::OptionsPtr opts = make_options(urls, settings, *impl_);
  connect(*impl_, opts.get());
  open_jetstream(*impl_);
}

Connection::~Connection() = default;

bool Connection::connected() const {
  return impl_->nc != nullptr && natsConnection_Status(impl_->nc.get()) == NATS_CONN_STATUS_CONNECTED;
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
  return connected_url_of(impl_->nc.get());
}

void Connection::drain() { impl_->drain(); }

}  // namespace vctp::bus

#include "gateway_service.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>

#include "bus_gateway_events.hpp"
#include "gateway_api.hpp"
#include "request_tracker.hpp"
#include "store_gateway_data.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/core/command_line.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/http/server.hpp"
#include "vctp/vsphere/client.hpp"

namespace vctp::gateway {

const char* const kGatewayUsage =
    "\nGateway options:\n"
    "  --web-root DIR       serve the web UI from DIR (default: share/vctp/web of the install)\n"
    "  --hash-token [TOKEN] print the SHA-256 hash of TOKEN (or of the first line of stdin) for\n"
    "                       api_tokens, and exit\n";

GatewayOptions parse_gateway_options(const std::vector<std::string>& rest) {
  GatewayOptions options;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--web-root") {
      if (i + 1 >= rest.size()) throw core::UsageError("--web-root needs a directory");
      options.web_root = rest[++i];
      continue;
    }
    throw core::UsageError("unknown option '" + rest[i] + "'");
  }
  return options;
}

std::filesystem::path find_web_root(const GatewayOptions& options) {
  if (options.web_root) return *options.web_root;
  std::array<char, 4096> exe{};
  const ssize_t n = ::readlink("/proc/self/exe", exe.data(), exe.size() - 1);
  if (n > 0) {
    const std::filesystem::path installed =
        std::filesystem::path(std::string(exe.data(), static_cast<std::size_t>(n))).parent_path().parent_path() /
        "share" / "vctp" / "web";
    if (std::filesystem::exists(installed / "index.html")) return installed;
  }
  return VCTP_GATEWAY_SOURCE_WEB_DIR;
}

struct GatewayService::Parts {
  RequestTracker tracker;
  std::unique_ptr<StoreGatewayData> data;
  std::unique_ptr<BusGatewayEvents> events;
  std::unique_ptr<GatewayApi> api;
  std::unique_ptr<http::Server> server;
};

GatewayService::GatewayService(service::ServiceContext& context, const GatewayOptions& options, GatewayMetrics& metrics)
    : context_(context), options_(options), metrics_(metrics) {}

GatewayService::~GatewayService() { stop(); }

void GatewayService::start() {
  const auto& s = context_.settings;
  parts_ = std::make_unique<Parts>();
  auto& p = *parts_;

  http::ServerOptions server_options;
  server_options.bind_ip = s.bind_ip;
  server_options.port = static_cast<int>(s.bind_port);
  server_options.tls = !s.bind_disable_tls;
  server_options.tls_cert_file = s.tls_cert_filename;
  server_options.tls_key_file = s.tls_key_filename;
  server_options.server_name = "vctp-gateway";
  server_options.max_connections = static_cast<std::size_t>(s.bind_max_connections);
  server_options.reserved_connections = static_cast<std::size_t>(s.bind_probe_connections);
  server_options.probe_paths = GatewayApi::probe_paths();
  if (server_options.tls) {
    http::ensure_certificate(server_options.tls_cert_file, server_options.tls_key_file, s.bind_ip);
  }

  p.data = std::make_unique<StoreGatewayData>(context_.db);
  p.events = std::make_unique<BusGatewayEvents>(context_.nats, p.tracker, bus::stream_config(s));

  ApiOptions api_options;
  api_options.token_hashes = s.api_tokens;
  api_options.auth_reads = s.api_auth_reads;
  api_options.reports_dir = s.reports_dir;
  api_options.web_root = find_web_root(options_);
  api_options.openapi_yaml = openapi_document();
  for (const auto& address : s.vcenter_addresses) {
    api_options.vcenters.push_back(address);
    api_options.vcenters.push_back(vsphere::vcenter_label(address));
  }
  // A waiting aggregation request holds a handler thread: leave half of them for everything else,
  // so health checks and reads answer while requests wait.
  api_options.max_concurrent_waits = std::max(1, server_options.handler_threads / 2);
  p.api = std::make_unique<GatewayApi>(*p.data, *p.events, p.tracker, metrics_, context_.clock, api_options);
  if (p.api->auth().size() == 0) {
    core::log_warn("api_tokens is empty: every state-changing request will be refused (403)");
  }

  p.server = std::make_unique<http::Server>(server_options,
                                            [api = p.api.get()](http::Request& r) { return api->handle(r); });
  p.server->start();
  core::log_info("gateway listening", {{"address", s.bind_ip},
                                       {"port", std::to_string(p.server->port())},
                                       {"tls", server_options.tls ? "on" : "off"},
                                       {"web_root", api_options.web_root.string()}});
}

void GatewayService::stop() {
  if (!parts_) return;
  auto& p = *parts_;
  p.tracker.shutdown();
  if (p.server) p.server->stop();
  p.server.reset();
  p.api.reset();
  p.events.reset();
  p.data.reset();
  parts_.reset();
}

}  // namespace vctp::gateway

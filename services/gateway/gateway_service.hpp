#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway_metrics.hpp"
#include "vctp/service/service_main.hpp"

namespace vctp::gateway {

/// The gateway: REST API, web UI and /metrics on bind_ip:bind_port (HTTPS unless
/// bind_disable_tls), over the database and NATS.
/// The gateway's own options.
struct GatewayOptions {
  std::optional<std::filesystem::path> web_root;  ///< --web-root DIR
};

class GatewayService final : public service::Service {
 public:
  GatewayService(service::ServiceContext& context, const GatewayOptions& options, GatewayMetrics& metrics);
  ~GatewayService() override;
  void start() override;
  void stop() override;

 private:
  struct Parts;
  service::ServiceContext& context_;
  GatewayOptions options_;
  GatewayMetrics& metrics_;
  std::unique_ptr<Parts> parts_;
};

/// Parses the gateway's own options: `--web-root DIR`. Throws core::UsageError for anything else.
GatewayOptions parse_gateway_options(const std::vector<std::string>& rest);

/// Where the web UI's files are: --web-root, else share/vctp/web next to the binary's prefix,
/// else the source tree's services/gateway/web (a build that is not installed).
std::filesystem::path find_web_root(const GatewayOptions& options);

/// The OpenAPI document, embedded at build time from proto/openapi.yaml.
const std::string& openapi_document();

/// Help text of the gateway's own options.
extern const char* const kGatewayUsage;

}  // namespace vctp::gateway

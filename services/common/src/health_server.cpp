#include "vctp/service/health_server.hpp"

#include "vctp/http/error.hpp"
#include "vctp/http/server.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/service/readiness.hpp"

namespace vctp::service {
namespace {

constexpr const char* kJson = "application/json";

http::Response answer(const metrics::Registry& registry, const Readiness& readiness, const http::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    auto response = http::error_response(http::ErrorCode::kMethodNotAllowed, "only GET");
    response.set_header("Allow", "GET, HEAD");
    return response;
  }
  if (request.path == "/metrics") {
    return http::Response::make(200, registry.serialize(), "text/plain; version=0.0.4; charset=utf-8");
  }
  if (request.path == "/healthz") return http::Response::make(200, R"({"status":"ok"})", kJson);
  if (request.path == "/readyz") {
    const auto report = readiness.evaluate();
    return http::Response::make(report.ready ? 200 : 503, readiness_json(report), kJson);
  }
  return http::error_response(http::ErrorCode::kNotFound, "try /metrics, /healthz or /readyz");
}

}  // namespace

struct HealthServer::Impl {
  std::unique_ptr<http::Server> server;
};

HealthServer::HealthServer(const metrics::Registry& registry, const Readiness& readiness,
                           const std::string& bind_address, int port)
    : impl_(std::make_unique<Impl>()) {
  http::ServerOptions options;
  options.bind_ip = bind_address;
  options.port = port;
  options.tls = false;
  options.io_threads = 1;
  options.handler_threads = 2;
  options.max_connections = 64;
  options.max_body_bytes = 1024;
  options.server_name = "vctp";
  impl_->server = std::make_unique<http::Server>(
      options, [&registry, &readiness](http::Request& request) { return answer(registry, readiness, request); });
  try {
    impl_->server->start();
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot serve /metrics, /healthz and /readyz on " + bind_address + ":" +
                             std::to_string(port) + ": " + e.what() + " (is another process using the port?)");
  }
}

HealthServer::~HealthServer() {
  if (impl_ && impl_->server) impl_->server->stop();
}

int HealthServer::port() const { return impl_->server->port(); }

}  // namespace vctp::service

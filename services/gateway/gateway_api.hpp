#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "answer_cache.hpp"
#include "gateway_data.hpp"
#include "gateway_metrics.hpp"
#include "request_tracker.hpp"
#include "token_auth.hpp"
#include "vctp/core/clock.hpp"
#include "vctp/core/random.hpp"
#include "vctp/http/router.hpp"

namespace vctp::gateway {

/// What the REST API is configured with.
struct ApiOptions {
  std::vector<std::string> token_hashes;  ///< api_tokens
  bool auth_reads = false;                ///< api_auth_reads
  std::filesystem::path reports_dir;
  std::filesystem::path web_root;         ///< where index.html, app.js, ... are
  std::string openapi_yaml;               ///< the document served at /api/openapi.yaml
  /// The vCenters a snapshot may be asked for: each of vcenter_addresses as written and by its
  /// label (host[:port], as the collector names it). Any other answers 404.
  std::vector<std::string> vcenters;
  std::size_t max_limit = 1000;           ///< the largest `limit` a listing accepts
  std::chrono::seconds max_wait{60};      ///< the longest `wait` of an aggregation request
  std::int64_t max_history_days = 400;    ///< the longest range of a VM's history
  /// Aggregation requests allowed to wait at once (each holds a handler thread); beyond that
  /// they answer 202 at once. Keep it below the server's handler threads.
  int max_concurrent_waits = 2;
  /// Where aggregation request ids come from (a seeded source in tests).
  core::Random* random = &core::system_random();
};

/// The REST API, the web UI's files and /metrics: a router of handlers over GatewayData and
/// GatewayEvents, with authentication, error mapping and request metrics around it.
class GatewayApi {
 public:
  GatewayApi(GatewayData& data, GatewayEvents& events, RequestTracker& tracker, GatewayMetrics& metrics,
             const core::Clock& clock, ApiOptions options);

  /// Answers one request; never throws.
  http::Response handle(http::Request& request);

  const http::Router& router() const { return router_; }
  const TokenAuth& auth() const { return auth_; }
  /// The health and readiness routes, which the HTTP server keeps connections for.
  static const std::vector<std::string>& probe_paths();

 private:
  http::Response dispatch(http::Request& request, std::string& route);
  void authorize(const http::Request& request, const std::string& route) const;

  http::Response health(http::Request& request);
  http::Response ready(http::Request& request);
  http::Response vcenters(http::Request& request);
  http::Response snapshots(http::Request& request);
  http::Response aggregate(http::Request& request);
  http::Response run_snapshot(http::Request& request);
  http::Response request_status(http::Request& request);
  http::Response inventory(http::Request& request);
  http::Response vm_history(http::Request& request);
  http::Response daily_summary(http::Request& request);
  http::Response monthly_summary(http::Request& request);
  http::Response list_reports(http::Request& request);
  http::Response download_report(http::Request& request);
  http::Response metrics_text(http::Request& request);
  http::Response openapi(http::Request& request);
  http::Response web_index(http::Request& request);
  http::Response web_file(http::Request& request);

  http::Response serve_web_file(const std::string& name);
  /// Answers a read that depends only on the database's content: from the cache while the
  /// data has not changed since it was built (a 304 when the client has it), else built by
  /// `build` (a 200 is kept). Errors thrown by `build` pass through.
  http::Response cached(const http::Request& request, const std::function<http::Response()>& build);
  http::Response summary_response(const http::Request& request, const Table& table, const std::string& kind,
                                  const std::string& period);

  GatewayData& data_;
  GatewayEvents& events_;
  RequestTracker& tracker_;
  GatewayMetrics& metrics_;
  const core::Clock& clock_;
  ApiOptions options_;
  TokenAuth auth_;
  http::Router router_;
  AnswerCache cache_;
  std::atomic<int> waiting_{0};
};

/// Validation used by the handlers, exposed for unit tests. Each throws http::ApiError.
std::size_t parse_limit(const std::optional<std::string>& text, std::size_t max_limit);
/// An /api/inventory cursor: an offset from 0 that a page of max_limit can be added to.
std::size_t parse_offset_cursor(const std::string& text, std::size_t max_limit);
std::chrono::year_month_day parse_day_or_throw(const std::string& text, const std::string& what);
std::chrono::year_month parse_month_or_throw(const std::string& text, const std::string& what);
/// A day (start of it) or an ISO 8601 instant, in the years of core's period range.
TimePoint parse_time_or_throw(const std::string& text, const std::string& what);
/// A report file name as a request gives it: a plain file name, never a path.
void check_report_name(const std::string& name);

}  // namespace vctp::gateway

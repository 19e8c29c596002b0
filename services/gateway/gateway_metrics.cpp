#include "gateway_metrics.hpp"

namespace vctp::gateway {
namespace {

constexpr const char* kRequestsTotal = "vctp_gateway_http_requests_total";
constexpr const char* kRequestsHelp = "HTTP requests answered, by route, method and status";
constexpr const char* kRequestDuration = "vctp_gateway_http_request_duration_seconds";
constexpr const char* kRequestDurationHelp = "Time to answer HTTP requests, by route";
constexpr const char* kEventsPublished = "vctp_gateway_events_published_total";
constexpr const char* kEventsPublishedHelp = "Events published by the gateway, by subject";

metrics::Registry& declare_families(metrics::Registry& r) {
  r.declare_counter_family(kRequestsTotal, kRequestsHelp);
  r.declare_histogram_family(kRequestDuration, kRequestDurationHelp);
  r.declare_counter_family(kEventsPublished, kEventsPublishedHelp);
  return r;
}

}  // namespace

GatewayMetrics::GatewayMetrics(metrics::Registry& r)
    : registry(declare_families(r)),
      auth_failures_total(
          r.counter("vctp_gateway_auth_failures_total", "Requests refused for a missing or wrong bearer token")) {}

metrics::Counter GatewayMetrics::requests(const std::string& route, const std::string& method, int status) {
  return registry.counter(kRequestsTotal, kRequestsHelp,
                          {{"route", route}, {"method", method}, {"status", std::to_string(status)}});
}

metrics::Histogram GatewayMetrics::request_duration(const std::string& route) {
  return registry.histogram(kRequestDuration, kRequestDurationHelp, metrics::duration_buckets(), {{"route", route}});
}

metrics::Counter GatewayMetrics::events_published(const std::string& subject) {
  return registry.counter(kEventsPublished, kEventsPublishedHelp, {{"subject", subject}});
}

}  // namespace vctp::gateway

#include "gateway_api.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <fstream>
#include <functional>
#include <sstream>

#include "summary_totals.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/random.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/http/error.hpp"

namespace vctp::gateway {

using http::ApiError;
using http::ErrorCode;

namespace {

using nlohmann::json;
using namespace std::chrono;

constexpr std::string_view kJson = "application/json";

http::Response json_response(int status, const json& body) {
  // Requests are checked for UTF-8 on the way in; text from the database (a VM name from a
  // vCenter) that is not UTF-8 is answered with U+FFFD rather than a 500.
  return http::Response::make(status, body.dump(-1, ' ', false, json::error_handler_t::replace), std::string(kJson));
}

json parse_body_object(const http::Request& request, bool allow_empty) {
  if (request.body.empty() || request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (allow_empty) return json::object();
    throw ApiError(ErrorCode::kInvalidJson, "the request body must be a JSON object");
  }
  if (!http::is_valid_utf8(request.body)) throw ApiError(ErrorCode::kInvalidJson, "the request body is not UTF-8");
  json body;
  try {
    body = json::parse(request.body);
  } catch (const json::out_of_range&) {
    // nlohmann refuses a number that overflows a double (1e309) with out_of_range.406.
    throw ApiError(ErrorCode::kInvalidJson, "the request body holds a number too large for a double");
  } catch (const json::exception& e) {
    throw ApiError(ErrorCode::kInvalidJson, std::string("the request body is not valid JSON: ") + e.what());
  }
  if (!body.is_object()) throw ApiError(ErrorCode::kInvalidJson, "the request body must be a JSON object");
  return body;
}

std::optional<std::string> optional_text(const http::Request& request, const std::string& name,
                                         std::size_t max_length = 256) {
  auto v = request.query_value(name);
  if (!v || v->empty()) return std::nullopt;
  if (v->size() > max_length) {
    throw ApiError(ErrorCode::kInvalidParameter, "'" + name + "' is longer than " + std::to_string(max_length));
  }
  return v;
}

std::string day_text(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

std::string month_text(year_month m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(m.year()), static_cast<unsigned>(m.month()));
  return buf;
}

std::string content_type_for(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json") return "application/json";
  if (ext == ".xlsx") return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  if (ext == ".csv") return "text/csv; charset=utf-8";
  return "application/octet-stream";
}

std::optional<std::string> read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

json outcome_json(const RequestTracker::Entry& entry) {
  json j = {{"request_id", entry.request_id}, {"kind", entry.kind}, {"period", entry.period},
            {"requested_at", entry.requested_at}};
  if (entry.outcome) {
    j["status"] = entry.outcome->status;
    j["table"] = entry.outcome->table;
    j["rows"] = entry.outcome->rows;
    if (entry.outcome->error) j["error"] = *entry.outcome->error;
    j["reports"] = entry.reports;
  } else {
    j["status"] = "pending";
  }
  return j;
}

std::string years_allowed() {
  return " in the years " + std::to_string(static_cast<int>(core::kFirstPeriodYear)) + " to " +
         std::to_string(static_cast<int>(core::kLastPeriodYear));
}

/// The start of what a client sent, for an error message (requests are UTF-8 by then).
std::string quoted(const std::string& text) {
  std::size_t n = std::min<std::size_t>(text.size(), 40);
  while (n < text.size() && n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

/// Every query parameter name and value must be UTF-8: they may be quoted in a JSON answer.
void check_query_utf8(const http::Request& request) {
  for (const auto& [name, value] : request.query) {
    if (!http::is_valid_utf8(name) || !http::is_valid_utf8(value)) {
      throw ApiError(ErrorCode::kBadRequest, "the query string is not UTF-8 once decoded");
    }
  }
}

bool is_open_route(const std::string& route) {
  return route == "/api/health" || route == "/api/ready" || route == "/healthz" || route == "/readyz" ||
         route == "/api/openapi.yaml" || route == "/metrics" ||
         route == "/" || route == "/ui/{file}";
}

}  // namespace

const std::vector<std::string>& GatewayApi::probe_paths() {
  static const std::vector<std::string> paths = {"/api/health", "/api/ready", "/healthz", "/readyz"};
  return paths;
}

std::size_t parse_limit(const std::optional<std::string>& text, std::size_t max_limit) {
  if (!text || text->empty()) return std::min<std::size_t>(100, max_limit);
  std::size_t value = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || value == 0) {
    throw ApiError(ErrorCode::kInvalidParameter, "'limit' must be a positive integer");
  }
  if (value > max_limit) {
    throw ApiError(ErrorCode::kInvalidParameter, "'limit' must be at most " + std::to_string(max_limit));
  }
  return value;
}

std::size_t parse_offset_cursor(const std::string& text, std::size_t max_limit) {
  // An offset the database takes as a signed 64-bit number, with a page added to it.
  const std::int64_t largest = INT64_MAX - static_cast<std::int64_t>(max_limit);
  std::int64_t offset = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, offset);
  if (ec != std::errc() || ptr != end || offset < 0 || offset > largest) {
    throw ApiError(ErrorCode::kInvalidParameter, "'cursor' is not a cursor this API gave");
  }
  return static_cast<std::size_t>(offset);
}

year_month_day parse_day_or_throw(const std::string& text, const std::string& what) {
  const auto d = core::parse_day(text);
  if (!d || !core::in_period_range(d->year())) {
    throw ApiError(ErrorCode::kInvalidPeriod,
                   "'" + what + "' must be a day YYYY-MM-DD" + years_allowed() + ", not '" + quoted(text) + "'");
  }
  return *d;
}

year_month parse_month_or_throw(const std::string& text, const std::string& what) {
  const auto m = core::parse_month(text);
  if (!m || !core::in_period_range(m->year())) {
    throw ApiError(ErrorCode::kInvalidPeriod,
                   "'" + what + "' must be a month YYYY-MM" + years_allowed() + ", not '" + quoted(text) + "'");
  }
  return *m;
}

TimePoint parse_time_or_throw(const std::string& text, const std::string& what) {
  std::optional<TimePoint> t;
  if (const auto d = core::parse_day(text)) {
    if (core::in_period_range(d->year())) t = sys_days(*d);
  } else {
    t = core::parse_iso8601(text);
  }
  if (!t || !core::in_period_range(*t)) {
    throw ApiError(ErrorCode::kInvalidPeriod, "'" + what + "' must be a day YYYY-MM-DD or an ISO 8601 time" +
                                                  years_allowed() + ", not '" + quoted(text) + "'");
  }
  return *t;
}

void check_report_name(const std::string& name) {
  const bool bad = name.empty() || name.size() > 255 || name.front() == '.' ||
                   name.find('/') != std::string::npos || name.find('\\') != std::string::npos ||
                   name.find("..") != std::string::npos ||
                   std::any_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
  if (bad) throw ApiError(ErrorCode::kInvalidName, "a report is named by its file name, without any path");
}

GatewayApi::GatewayApi(GatewayData& data, GatewayEvents& events, RequestTracker& tracker, GatewayMetrics& metrics,
                       const core::Clock& clock, ApiOptions options)
    : data_(data),
      events_(events),
      tracker_(tracker),
      metrics_(metrics),
      clock_(clock),
      options_(std::move(options)),
      auth_(options_.token_hashes) {
  for (const auto& rejected : auth_.rejected()) {
    core::log_warn("api_tokens entry is not a SHA-256 hex hash; ignored (use vctp-gateway --hash-token)",
                   {{"length", std::to_string(rejected.size())}});
  }
  const auto bind = [this](http::Response (GatewayApi::*fn)(http::Request&)) {
    return [this, fn](http::Request& r) { return (this->*fn)(r); };
  };
  const auto bind_cached = [this](http::Response (GatewayApi::*fn)(http::Request&)) {
    return [this, fn](http::Request& r) { return cached(r, [this, fn, &r] { return (this->*fn)(r); }); };
  };
  router_.add("GET", "/api/health", bind(&GatewayApi::health));
  router_.add("GET", "/api/ready", bind(&GatewayApi::ready));
  // The probes every vctp service answers (Kubernetes, compose health checks).
  router_.add("GET", "/healthz", bind(&GatewayApi::health));
  router_.add("GET", "/readyz", bind(&GatewayApi::ready));
  router_.add("GET", "/api/vcenters", bind(&GatewayApi::vcenters));
  router_.add("GET", "/api/snapshots", bind_cached(&GatewayApi::snapshots));
  router_.add("POST", "/api/snapshots/aggregate", bind(&GatewayApi::aggregate));
  router_.add("POST", "/api/snapshots/run", bind(&GatewayApi::run_snapshot));
  router_.add("GET", "/api/requests/{id}", bind(&GatewayApi::request_status));
  router_.add("GET", "/api/inventory", bind(&GatewayApi::inventory));
  router_.add("GET", "/api/vms/{id}/history", bind(&GatewayApi::vm_history));
  router_.add("GET", "/api/summaries/daily/{day}", bind_cached(&GatewayApi::daily_summary));
  router_.add("GET", "/api/summaries/monthly/{month}", bind_cached(&GatewayApi::monthly_summary));
  router_.add("GET", "/api/reports", bind_cached(&GatewayApi::list_reports));
  router_.add("GET", "/api/reports/{file}", bind(&GatewayApi::download_report));
  router_.add("GET", "/api/openapi.yaml", bind(&GatewayApi::openapi));
  router_.add("GET", "/metrics", bind(&GatewayApi::metrics_text));
  router_.add("GET", "/", bind(&GatewayApi::web_index));
  router_.add("GET", "/ui/{file}", bind(&GatewayApi::web_file));
}

http::Response GatewayApi::handle(http::Request& request) {
  const auto started = steady_clock::now();
  std::string route;
  http::Response response;
  try {
    response = dispatch(request, route);
  } catch (const ApiError& e) {
    response = error_response(e.code(), e.what());
  } catch (const std::exception& e) {
    core::log_error("request failed", {{"method", request.method}, {"route", route}, {"error", e.what()}});
    response = error_response(ErrorCode::kInternal, "internal error; see the gateway's log");
  }
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  if (!response.header("Cache-Control")) response.set_header("Cache-Control", "no-store");
  const std::string label = route.empty() ? "unmatched" : route;
  const double seconds = duration<double>(steady_clock::now() - started).count();
  core::log_debug("request", {{"method", request.method}, {"route", label}, {"status", std::to_string(response.status)},
                              {"seconds", std::to_string(seconds)}, {"remote", request.remote_address}});
  try {
    metrics_.requests(label, request.method.size() <= 10 ? request.method : "other", response.status).inc();
    metrics_.request_duration(label).observe(seconds);
  } catch (const std::exception& e) {
    core::log_warn("cannot update request metrics", {{"error", e.what()}});
  }
  return response;
}

http::Response GatewayApi::dispatch(http::Request& request, std::string& route) {
  auto match = router_.match(request);
  if (!match.handler) {
    if (match.status == 405) {
      std::string allow;
      for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      auto r = error_response(ErrorCode::kMethodNotAllowed, request.method + " is not allowed here");
      r.set_header("Allow", allow);
      return r;
    }
    if (match.status == 400) throw ApiError(ErrorCode::kBadRequest, "malformed path (bad escape, '.', '..' or not UTF-8)");
    throw ApiError(ErrorCode::kNotFound, "no such resource");
  }
  route = match.pattern;
  check_query_utf8(request);
  authorize(request, route);
  return (*match.handler)(request);
}

void GatewayApi::authorize(const http::Request& request, const std::string& route) const {
  const bool changes_state = request.method != "GET" && request.method != "HEAD";
  if (!changes_state && (!options_.auth_reads || is_open_route(route))) return;
  const auto result = auth_.check(request.header("authorization"));
  if (result == TokenAuth::Result::kOk) return;
  metrics_.auth_failures_total.inc();
  if (result == TokenAuth::Result::kMissing) {
    throw ApiError(ErrorCode::kUnauthorized, "this request needs 'Authorization: Bearer <token>'");
  }
  throw ApiError(ErrorCode::kForbidden, "the bearer token is not one of api_tokens");
}

http::Response GatewayApi::health(http::Request&) {
  return json_response(200, {{"status", "ok"}, {"time", core::format_iso8601(clock_.now())}});
}

http::Response GatewayApi::ready(http::Request&) {
  json checks = json::object();
  bool ok = true;
  const auto check = [&](const char* name, const std::function<void()>& probe) {
    try {
      probe();
      checks[name] = "ok";
    } catch (const std::exception& e) {
      checks[name] = std::string("unavailable: ") + e.what();
      ok = false;
    }
  };
  check("database", [this] { data_.check_ready(); });
  check("nats", [this] { events_.check_ready(); });
  if (!ok) {
    constexpr auto kNotReady = ErrorCode::kUnavailable;
    return json_response(http::http_status(kNotReady),
                         {{"error", http::error_name(kNotReady)}, {"detail", "not ready"}, {"checks", checks}});
  }
  return json_response(200, {{"status", "ready"}, {"checks", checks}});
}

http::Response GatewayApi::vcenters(http::Request&) {
  json items = json::array();
  for (const auto& v : data_.vcenters(clock_.now())) {
    json j = {{"vcenter", v.vcenter},
              {"last_snapshot_rows", v.last_snapshot_rows},
              {"failures_24h", v.failures_24h},
              {"inventory_vms", v.inventory_vms}};
    j["last_snapshot_table"] = v.last_snapshot_table ? json(*v.last_snapshot_table) : json();
    j["last_snapshot_time"] = v.last_snapshot_time ? json(*v.last_snapshot_time) : json();
    j["last_snapshot_status"] = v.last_snapshot_status ? json(*v.last_snapshot_status) : json();
    j["last_error"] = v.last_error ? json(*v.last_error) : json();
    items.push_back(std::move(j));
  }
  return json_response(200, {{"vcenters", items}});
}

http::Response GatewayApi::snapshots(http::Request& request) {
  SnapshotQuery q;
  if (auto kind = optional_text(request, "kind")) {
    if (*kind != "hourly" && *kind != "hosts" && *kind != "daily" && *kind != "monthly") {
      throw ApiError(ErrorCode::kInvalidParameter, "'kind' must be hourly, hosts, daily or monthly");
    }
    q.kind = *kind;
  }
  if (auto from = optional_text(request, "from")) q.from = parse_time_or_throw(*from, "from");
  if (auto to = optional_text(request, "to")) {
    // A day as `to` includes that day.
    q.to = parse_time_or_throw(*to, "to");
    if (core::parse_day(*to)) *q.to += days(1);
  }
  if (q.from && q.to && *q.from > *q.to) throw ApiError(ErrorCode::kInvalidPeriod, "'from' is after 'to'");
  q.limit = parse_limit(request.query_value("limit"), options_.max_limit);
  q.cursor = optional_text(request, "cursor");
  const auto page = data_.snapshots(q);
  json body = {{"snapshots", to_json_rows(page.table)}};
  body["next_cursor"] = page.next_cursor ? json(*page.next_cursor) : json();
  return json_response(200, body);
}

http::Response GatewayApi::aggregate(http::Request& request) {
  const json body = parse_body_object(request, false);
  const auto kind_it = body.find("kind");
  if (kind_it == body.end() || !kind_it->is_string() ||
      (*kind_it != "daily" && *kind_it != "monthly")) {
    throw ApiError(ErrorCode::kInvalidParameter, "'kind' must be \"daily\" or \"monthly\"");
  }
  const std::string kind = *kind_it;
  const auto period_it = body.find("period");
  if (period_it == body.end() || !period_it->is_string()) {
    throw ApiError(ErrorCode::kInvalidPeriod, "'period' must be a string: YYYY-MM-DD (daily) or YYYY-MM (monthly)");
  }
  const std::string period_in = *period_it;
  std::string period;
  const auto today = year_month_day(floor<days>(clock_.now()));
  if (kind == "daily") {
    const auto d = parse_day_or_throw(period_in, "period");
    if (sys_days(d) > sys_days(today)) throw ApiError(ErrorCode::kInvalidPeriod, "'period' is in the future");
    period = day_text(d);
  } else {
    const auto m = parse_month_or_throw(period_in, "period");
    if (m > today.year() / today.month()) throw ApiError(ErrorCode::kInvalidPeriod, "'period' is in the future");
    period = month_text(m);
  }
  double wait_s = 0;
  if (const auto w = body.find("wait"); w != body.end() && !w->is_null()) {
    if (!w->is_number() || w->get<double>() < 0 ||
        w->get<double>() > static_cast<double>(options_.max_wait.count())) {
      throw ApiError(ErrorCode::kInvalidParameter,
                     "'wait' must be a number of seconds from 0 to " + std::to_string(options_.max_wait.count()));
    }
    wait_s = w->get<double>();
  }
  const std::string request_id = options_.random->uuid();
  tracker_.add(request_id, kind, period, core::format_iso8601(clock_.now()));
  events_.request_aggregate(kind, period, request_id);
  metrics_.events_published("vctp.aggregate.requested").inc();
  core::log_info("aggregation requested", {{"kind", kind}, {"period", period}, {"request_id", request_id},
                                            {"remote", request.remote_address}});
  std::optional<RequestTracker::Entry> entry;
  if (wait_s > 0 && waiting_.fetch_add(1) < options_.max_concurrent_waits) {
    entry = tracker_.wait(request_id, duration_cast<milliseconds>(duration<double>(wait_s)));
  } else {
    if (wait_s > 0) core::log_info("too many requests waiting; answering 202 at once", {{"request_id", request_id}});
    entry = tracker_.find(request_id);
  }
  if (wait_s > 0) --waiting_;
  if (entry && entry->outcome) return json_response(200, outcome_json(*entry));
  json pending = entry ? outcome_json(*entry) : json{{"request_id", request_id}, {"status", "pending"}};
  pending["follow"] = "/api/requests/" + request_id;
  auto response = json_response(202, pending);
  response.set_header("Location", "/api/requests/" + request_id);
  return response;
}

http::Response GatewayApi::run_snapshot(http::Request& request) {
  const json body = parse_body_object(request, true);
  std::optional<std::string> vcenter;
  if (const auto v = body.find("vcenter"); v != body.end() && !v->is_null()) {
    if (!v->is_string() || v->get<std::string>().empty() || v->get<std::string>().size() > 256) {
      throw ApiError(ErrorCode::kInvalidParameter, "'vcenter' must be a vCenter address");
    }
    vcenter = v->get<std::string>();
    if (std::find(options_.vcenters.begin(), options_.vcenters.end(), *vcenter) == options_.vcenters.end()) {
      throw ApiError(ErrorCode::kNotFound, "no such vCenter among vcenter_addresses (see GET /api/vcenters)");
    }
  }
  const std::string id = events_.request_snapshot(vcenter);
  metrics_.events_published("vctp.snapshot.requested").inc();
  core::log_info("snapshot requested", {{"vcenter", vcenter.value_or("*")}, {"event_id", id}});
  json out = {{"status", "requested"}, {"event_id", id}};
  out["vcenter"] = vcenter ? json(*vcenter) : json();
  return json_response(202, out);
}

http::Response GatewayApi::request_status(http::Request& request) {
  const auto entry = tracker_.find(request.param("id"));
  if (!entry) throw ApiError(ErrorCode::kNotFound, "no such request (requests are kept in memory by the gateway that took them)");
  return json_response(200, outcome_json(*entry));
}

http::Response GatewayApi::inventory(http::Request& request) {
  InventoryQuery q;
  q.vcenter = optional_text(request, "vcenter");
  q.name = optional_text(request, "name");
  q.tenant = optional_text(request, "tenant");
  q.cluster = optional_text(request, "cluster");
  q.limit = parse_limit(request.query_value("limit"), options_.max_limit);
  if (auto cursor = optional_text(request, "cursor")) q.offset = parse_offset_cursor(*cursor, options_.max_limit);
  const auto page = data_.inventory(q);
  json body = {{"vms", to_json_rows(page.table)}};
  body["next_cursor"] = page.next_cursor ? json(*page.next_cursor) : json();
  return json_response(200, body);
}

http::Response GatewayApi::vm_history(http::Request& request) {
  const std::string vm = request.param("id");
  if (vm.empty() || vm.size() > 128) throw ApiError(ErrorCode::kInvalidParameter, "bad VM id");
  const auto today = year_month_day(floor<days>(clock_.now()));
  const auto to = request.query_value("to") ? parse_day_or_throw(*request.query_value("to"), "to") : today;
  const auto from = request.query_value("from") ? parse_day_or_throw(*request.query_value("from"), "from")
                                                : year_month_day(sys_days(to) - days(30));
  if (sys_days(from) > sys_days(to)) throw ApiError(ErrorCode::kInvalidPeriod, "'from' is after 'to'");
  if ((sys_days(to) - sys_days(from)).count() > options_.max_history_days) {
    throw ApiError(ErrorCode::kInvalidPeriod,
                   "the range is longer than " + std::to_string(options_.max_history_days) + " days");
  }
  const Table history = data_.vm_history(vm, from, to);
  return json_response(200, {{"vm", vm}, {"from", day_text(from)}, {"to", day_text(to)}, {"days", to_json_rows(history)}});
}

http::Response GatewayApi::summary_response(const http::Request& request, const Table& table, const std::string& kind,
                                            const std::string& period) {
  const auto format = request.query_value("format").value_or("json");
  if (format != "json" && format != "csv") throw ApiError(ErrorCode::kInvalidParameter, "'format' must be json or csv");
  const auto group_by = request.query_value("group_by");
  if (group_by && *group_by != "tenant" && *group_by != "pool" && *group_by != "cluster") {
    throw ApiError(ErrorCode::kInvalidParameter, "'group_by' must be tenant, pool or cluster");
  }
  const Table out = group_by ? summary_totals(table, *group_by) : table;
  if (format == "csv") {
    auto r = http::Response::make(200, to_csv(out), "text/csv; charset=utf-8");
    r.set_header("Content-Disposition", "attachment; filename=\"summary_" + kind + "_" + period +
                                            (group_by ? "_by_" + *group_by : std::string()) + ".csv\"");
    return r;
  }
  json body = {{"kind", kind}, {"period", period}, {"rows", to_json_rows(out)}};
  if (group_by) body["group_by"] = *group_by;
  return json_response(200, body);
}

http::Response GatewayApi::daily_summary(http::Request& request) {
  const auto day = parse_day_or_throw(request.param("day"), "day");
  const auto table = data_.daily_summary(day);
  if (!table) throw ApiError(ErrorCode::kNotFound, "no daily summary for " + day_text(day));
  return summary_response(request, *table, "daily", day_text(day));
}

http::Response GatewayApi::monthly_summary(http::Request& request) {
  const auto month = parse_month_or_throw(request.param("month"), "month");
  const auto table = data_.monthly_summary(month);
  if (!table) throw ApiError(ErrorCode::kNotFound, "no monthly summary for " + month_text(month));
  return summary_response(request, *table, "monthly", month_text(month));
}

http::Response GatewayApi::list_reports(http::Request&) {
  json items = json::array();
  for (const auto& r : data_.reports()) {
    items.push_back({{"kind", r.kind}, {"period", r.period}, {"file", r.file_name}, {"bytes", r.bytes},
                     {"created_at", r.created_at}, {"url", "/api/reports/" + r.file_name}});
  }
  return json_response(200, {{"reports", items}});
}

http::Response GatewayApi::download_report(http::Request& request) {
  const std::string name = request.param("file");
  check_report_name(name);
  const auto report = data_.find_report(name);
  if (!report) throw ApiError(ErrorCode::kNotFound, "no report of that name");
  // The file name comes from the reports table; it is checked again before it meets the disk.
  check_report_name(report->file_name);
  const auto path = options_.reports_dir / report->file_name;
  auto content = read_whole_file(path);
  if (!content) throw ApiError(ErrorCode::kNotFound, "the report is listed but its file is missing");
  auto r = http::Response::make(200, std::move(*content), content_type_for(path));
  r.set_header("Content-Disposition", "attachment; filename=\"" + report->file_name + "\"");
  return r;
}

http::Response GatewayApi::metrics_text(http::Request&) {
  return http::Response::make(200, metrics_.registry.serialize(), "text/plain; version=0.0.4; charset=utf-8");
}

http::Response GatewayApi::openapi(http::Request&) {
  return http::Response::make(200, options_.openapi_yaml, "application/yaml; charset=utf-8");
}

http::Response GatewayApi::web_index(http::Request&) { return serve_web_file("index.html"); }

http::Response GatewayApi::web_file(http::Request& request) {
  const std::string name = request.param("file");
  const bool ok = !name.empty() && name.front() != '.' && name.size() < 100 &&
                  std::all_of(name.begin(), name.end(), [](unsigned char c) {
                    return std::isalnum(c) != 0 || c == '.' || c == '-' || c == '_';
                  });
  if (!ok) throw ApiError(ErrorCode::kNotFound, "no such file");
  return serve_web_file(name);
}

http::Response GatewayApi::cached(const http::Request& request, const std::function<http::Response()>& build) {
  std::optional<std::string> version;
  try {
    version = data_.data_version();
  } catch (const std::exception& e) {
    core::log_warn("cannot read the database's data version; answering uncached", {{"error", e.what()}});
  }
  // Asked for again at every request, not cached: the answer may say who may read it.
  const std::string cache_control = options_.auth_reads ? "private, no-cache" : "no-cache";
  if (!version) return build();
  auto answer = cache_.find(request.target, *version, steady_clock::now());
  if (!answer) {
    auto built = build();
    if (built.status != 200) return built;
    built.set_header("Cache-Control", cache_control);
    answer = cache_.store(request.target, *version, std::move(built), clock_.now(), steady_clock::now());
  }
  auto r = conditional_answer(request, *answer);
  r.set_header("Cache-Control", cache_control);
  return r;
}

http::Response GatewayApi::serve_web_file(const std::string& name) {
  const auto path = options_.web_root / name;
  auto content = read_whole_file(path);
  if (!content) throw ApiError(ErrorCode::kNotFound, "no such file");
  auto r = http::Response::make(200, std::move(*content), content_type_for(path));
  r.set_header("Cache-Control", "no-cache");
  r.set_header("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'");
  r.set_header("X-Frame-Options", "DENY");
  return r;
}

}  // namespace vctp::gateway

#include <yaml-cpp/yaml.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "fake_clock.hpp"
#include "gateway_api.hpp"
#include "gateway_service.hpp"
#include "request_tracker.hpp"
#include "summary_totals.hpp"
#include "test_support.hpp"
#include "token_auth.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/http/error.hpp"

using namespace vctp;
using namespace vctp::gateway;
using nlohmann::json;
using vctp::http::ApiError;
using vctp::http::error_response;
using vctp::http::ErrorCode;
using vctp::http::http_status;

namespace {

class FakeData final : public GatewayData {
 public:
  void check_ready() override {
    if (!ready) throw ApiError(ErrorCode::kUnavailable, "down");
  }
  std::vector<VcenterOverview> vcenters(TimePoint) override {
    ++queries;
    VcenterOverview v;
    v.vcenter = "vc1";
    v.inventory_vms = 3;
    return {v};
  }
  TablePage snapshots(const SnapshotQuery& q) override {
    ++queries;
    last_snapshot_query = q;
    return {};
  }
  TablePage inventory(const InventoryQuery& q) override {
    ++queries;
    last_inventory_query = q;
    return {};
  }
  Table vm_history(const std::string&, std::chrono::year_month_day, std::chrono::year_month_day) override {
    ++queries;
    return {};
  }
  std::optional<Table> daily_summary(std::chrono::year_month_day) override {
    ++queries;
    return summary;
  }
  std::optional<Table> monthly_summary(std::chrono::year_month) override {
    ++queries;
    return std::nullopt;
  }
  std::vector<ReportFile> reports() override { return report_list; }
  std::optional<ReportFile> find_report(const std::string& name) override {
    ++queries;
    for (const auto& r : report_list) {
      if (r.file_name == name) return r;
    }
    return std::nullopt;
  }

  bool ready = true;
  int queries = 0;
  std::optional<Table> summary;
  std::vector<ReportFile> report_list;
  SnapshotQuery last_snapshot_query;
  InventoryQuery last_inventory_query;
};

class FakeEvents final : public GatewayEvents {
 public:
  explicit FakeEvents(RequestTracker& tracker) : tracker_(tracker) {}
  bool connected() override { return true; }
  void request_aggregate(const std::string& kind, const std::string& period, const std::string& id) override {
    requested.push_back(kind + " " + period);
    if (complete) {
      tracker_.complete(AggregateOutcome{id, kind, period, "summary_daily_20261120", 42, "ok", std::nullopt});
    }
  }
  std::string request_snapshot(const std::optional<std::string>& vcenter) override {
    requested.push_back("snapshot " + vcenter.value_or("*"));
    return "event-1";
  }
  bool complete = true;
  std::vector<std::string> requested;

 private:
  RequestTracker& tracker_;
};

struct Fixture {
  explicit Fixture(bool auth_reads = false)
      : events(tracker), metrics(registry), clock(core::parse_iso8601("2026-11-25T10:00:00Z").value()) {
    ApiOptions options;
    options.token_hashes = {sha256_hex("s3cret"), "not-a-hash"};
    options.auth_reads = auth_reads;
    options.reports_dir = dir.path();
    options.web_root = dir.path() / "web";
    options.openapi_yaml = "openapi: 3.0.3\n";
    options.vcenters = {"https://vc1.example.com/sdk", "vc1.example.com"};
    options.random = &random;
    api = std::make_unique<GatewayApi>(data, events, tracker, metrics, clock, options);
  }

  http::Response call(const std::string& method, const std::string& target, const std::string& body = {},
                      const std::optional<std::string>& token = std::nullopt) {
    http::Request r;
    r.method = method;
    r.target = target;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = http::parse_query(target.substr(q + 1));
    r.body = body;
    if (token) r.headers["authorization"] = "Bearer " + *token;
    return api->handle(r);
  }

  static std::string error_of(const http::Response& r) { return json::parse(r.body).at("error"); }

  test::TempDir dir;
  FakeData data;
  RequestTracker tracker;
  FakeEvents events;
  metrics::Registry registry;
  GatewayMetrics metrics;
  test::FakeClock clock;
  core::SeededRandom random{42};
  std::unique_ptr<GatewayApi> api;
};

}  // namespace

TEST_CASE("gateway: one mapping from error codes to statuses", "[gateway]") {
  CHECK(http_status(ErrorCode::kInvalidJson) == 400);
  CHECK(http_status(ErrorCode::kInvalidPeriod) == 400);
  CHECK(http_status(ErrorCode::kUnauthorized) == 401);
  CHECK(http_status(ErrorCode::kForbidden) == 403);
  CHECK(http_status(ErrorCode::kNotFound) == 404);
  CHECK(http_status(ErrorCode::kPayloadTooLarge) == 413);
  CHECK(http_status(ErrorCode::kUnavailable) == 503);
  CHECK(http_status(ErrorCode::kInternal) == 500);
  const auto r = error_response(ErrorCode::kUnauthorized, "no token");
  CHECK(r.status == 401);
  CHECK(r.header("WWW-Authenticate"));
  CHECK(json::parse(r.body) == json{{"error", "unauthorized"}, {"detail", "no token"}});
}

TEST_CASE("gateway: SHA-256 token hashes and bearer checks", "[gateway][auth]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string upper = sha256_hex("tok");
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  const TokenAuth auth({upper, "short", sha256_hex("other")});
  CHECK(auth.size() == 2);
  CHECK(auth.rejected() == std::vector<std::string>{"short"});
  CHECK(auth.check(std::nullopt) == TokenAuth::Result::kMissing);
  CHECK(auth.check("Basic dXNlcjpwdw==") == TokenAuth::Result::kMissing);
  CHECK(auth.check("Bearer ") == TokenAuth::Result::kMissing);
  CHECK(auth.check("Bearer tok") == TokenAuth::Result::kOk);
  CHECK(auth.check("bearer other") == TokenAuth::Result::kOk);
  CHECK(auth.check("Bearer tok2") == TokenAuth::Result::kWrong);
  CHECK(auth.check("Bearer " + sha256_hex("tok")) == TokenAuth::Result::kWrong);
  CHECK(TokenAuth({}).check("Bearer tok") == TokenAuth::Result::kWrong);
}

TEST_CASE("gateway: --hash-token prints the hash of its argument", "[gateway][auth]") {
  const auto result = test::run_command(test::binary_dir().string() + "/bin/vctp-gateway --hash-token abc");
  CHECK(result.status == 0);
  CHECK(result.output == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
  const auto piped =
      test::run_command("printf 'abc\\n' | " + test::binary_dir().string() + "/bin/vctp-gateway --hash-token");
  CHECK(piped.output == result.output);
  const auto empty = test::run_command("printf '' | " + test::binary_dir().string() + "/bin/vctp-gateway --hash-token");
  CHECK(empty.status == 2);
}

TEST_CASE("gateway: validation of limits, days, months and report names", "[gateway]") {
  CHECK(parse_limit(std::nullopt, 1000) == 100);
  CHECK(parse_limit("25", 1000) == 25);
  CHECK_THROWS_AS(parse_limit("0", 1000), ApiError);
  CHECK_THROWS_AS(parse_limit("1001", 1000), ApiError);
  CHECK_THROWS_AS(parse_limit("12abc", 1000), ApiError);
  CHECK_THROWS_AS(parse_limit("-1", 1000), ApiError);
  CHECK(parse_day_or_throw("2024-02-29", "day") == std::chrono::year_month_day(std::chrono::year(2024) / 2 / 29));
  CHECK_THROWS_AS(parse_day_or_throw("2023-02-29", "day"), ApiError);
  CHECK_THROWS_AS(parse_day_or_throw("2026-13-01", "day"), ApiError);
  CHECK_THROWS_AS(parse_month_or_throw("2026-00", "month"), ApiError);
  CHECK_THROWS_AS(parse_time_or_throw("yesterday", "from"), ApiError);
  CHECK_NOTHROW(parse_time_or_throw("2026-11-24T13:00:00Z", "from"));
  // One period range, 1970..2200, for days, months and times alike (2300 overflows the clock).
  for (const char* bad : {"1969-12-31", "2201-01-01", "0000-01-01", "9999-12-31"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_day_or_throw(bad, "day"), ApiError);
    CHECK_THROWS_AS(parse_time_or_throw(bad, "from"), ApiError);
  }
  CHECK_THROWS_AS(parse_time_or_throw("2300-01-01", "from"), ApiError);
  CHECK_THROWS_AS(parse_time_or_throw("1969-12-31T23:59:59Z", "from"), ApiError);
  CHECK_THROWS_AS(parse_time_or_throw("2026-11-24T13:00:00+99:99", "from"), ApiError);
  CHECK_THROWS_AS(parse_month_or_throw("0001-01", "month"), ApiError);
  CHECK_THROWS_AS(parse_month_or_throw("2201-01", "month"), ApiError);
  CHECK_NOTHROW(parse_day_or_throw("1970-01-01", "day"));
  CHECK_NOTHROW(parse_month_or_throw("2200-12", "month"));
  CHECK(parse_offset_cursor("0", 1000) == 0);
  CHECK(parse_offset_cursor("200", 1000) == 200);
  for (const char* bad : {"9223372036854775808", "9223372036854775807", "99999999999999999999999", "-1", "1e3", ""}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_offset_cursor(bad, 1000), ApiError);
  }
  CHECK_NOTHROW(check_report_name("daily_2026-11-24.xlsx"));
  for (const std::string& bad : std::vector<std::string>{"../etc/passwd", "..", "/etc/passwd", "a/b.xlsx", ".hidden",
                                                         "a\\b", std::string("a\0b", 3), ""}) {
    INFO(bad);
    CHECK_THROWS_AS(check_report_name(bad), ApiError);
  }
}

TEST_CASE("gateway: totals per tenant, pool and cluster, and CSV", "[gateway]") {
  Table t;
  t.columns = {"name",     "tenant",     "resource_pool", "cluster",         "presence",
               "avg_vcpu", "avg_ram_gb", "avg_disk_gb",   "powered_on_share"};
  t.rows = {{"a", "acme", "prod", "c1", 1.0, 4, 8.0, 100.0, 1.0},
            {"b", "acme", "dev", "c1", 0.5, 2, 4.0, 50.0, 1.0},
            {"c", "globex", "prod", "c2", 1.0, 1, 2.0, 10.0, 0.0}};
  const auto by_tenant = summary_totals(t, "tenant");
  REQUIRE(by_tenant.rows.size() == 2);
  CHECK(by_tenant.columns[0] == "tenant");
  CHECK(by_tenant.rows[0][0] == "acme");
  CHECK(by_tenant.rows[0][1] == 2);
  CHECK(by_tenant.rows[0][2].get<double>() == Approx(1.5));
  CHECK(by_tenant.rows[0][3].get<double>() == Approx(5.0));
  CHECK(by_tenant.rows[0][4].get<double>() == Approx(10.0));
  const auto by_pool = summary_totals(t, "pool");
  REQUIRE(by_pool.rows.size() == 2);
  CHECK(by_pool.rows[1][0] == "prod");
  CHECK(by_pool.rows[1][1] == 2);

  Table q;
  q.columns = {"name", "note"};
  q.rows = {{"x,y", "say \"hi\""}, {"plain", nullptr}};
  CHECK(to_csv(q) == "name,note\r\n\"x,y\",\"say \"\"hi\"\"\"\r\nplain,\r\n");
}

TEST_CASE("gateway: request tracker waits for the completion", "[gateway]") {
  RequestTracker tracker(2);
  tracker.add("r1", "daily", "2026-11-20", "t");
  // The completion comes from another thread once this one is about to wait (completed before
  // the wait, it is found at once: the outcome is the same either way).
  std::atomic<bool> waiting{false};
  std::thread completer([&] {
    test::eventually([&] { return waiting.load(); }, std::chrono::seconds(30));
    tracker.complete(AggregateOutcome{"r1", "daily", "2026-11-20", "summary_daily_20261120", 3, "ok", {}});
  });
  waiting = true;
  const auto done = tracker.wait("r1", std::chrono::seconds(30));
  completer.join();
  REQUIRE(done);
  REQUIRE(done->outcome);
  CHECK(done->outcome->rows == 3);
  tracker.add("r2", "daily", "2026-11-21", "t");
  const auto pending = tracker.wait("r2", std::chrono::milliseconds(10));
  REQUIRE(pending);
  CHECK_FALSE(pending->outcome);
  tracker.complete(AggregateOutcome{"unknown", "", "", "", 0, "ok", {}});
  CHECK_FALSE(tracker.find("unknown"));
  tracker.add("r3", "daily", "2026-11-22", "t");
  CHECK_FALSE(tracker.find("r1"));  // capacity 2: the oldest is forgotten
}

TEST_CASE("gateway: reports generated for a period are listed with its completed requests", "[gateway]") {
  RequestTracker tracker;
  tracker.add("ok", "daily", "2026-11-20", "t");
  tracker.add("failed", "daily", "2026-11-20", "t");
  tracker.add("pending", "daily", "2026-11-20", "t");
  tracker.add("other", "monthly", "2026-11", "t");
  tracker.complete(AggregateOutcome{"ok", "daily", "2026-11-20", "summary_daily_20261120", 3, "ok", {}});
  tracker.complete(AggregateOutcome{"failed", "daily", "2026-11-20", "", 0, "failed", "no input"});
  tracker.complete(AggregateOutcome{"other", "monthly", "2026-11", "summary_monthly_202611", 3, "ok", {}});
  tracker.report_generated("daily", "2026-11-20", "vctp_daily_20261120.xlsx");
  tracker.report_generated("daily", "2026-11-20", "vctp_daily_20261120.xlsx");  // regenerated: listed once
  tracker.report_generated("daily", "2026-11-21", "vctp_daily_20261121.xlsx");
  CHECK(tracker.find("ok")->reports == std::vector<std::string>{"vctp_daily_20261120.xlsx"});
  CHECK(tracker.find("failed")->reports.empty());
  CHECK(tracker.find("pending")->reports.empty());
  CHECK(tracker.find("other")->reports.empty());
}

TEST_CASE("gateway: state-changing requests need a valid bearer token", "[gateway][auth]") {
  Fixture f;
  const std::string body = R"({"kind":"daily","period":"2026-11-20"})";
  const auto none = f.call("POST", "/api/snapshots/aggregate", body);
  CHECK(none.status == 401);
  CHECK(Fixture::error_of(none) == "unauthorized");
  const auto wrong = f.call("POST", "/api/snapshots/aggregate", body, "nope");
  CHECK(wrong.status == 403);
  CHECK(Fixture::error_of(wrong) == "forbidden");
  CHECK(f.call("POST", "/api/snapshots/run", "", "nope").status == 403);
  CHECK(f.events.requested.empty());
  const auto ok = f.call("POST", "/api/snapshots/aggregate", body, "s3cret");
  CHECK(ok.status == 200);
  CHECK(json::parse(ok.body).at("status") == "ok");
  CHECK(json::parse(ok.body).at("rows") == 42);
  CHECK(f.events.requested == std::vector<std::string>{"daily 2026-11-20"});
  // Reads are open by default.
  CHECK(f.call("GET", "/api/vcenters").status == 200);
}

TEST_CASE("gateway: api_auth_reads closes reads but not health, metrics or the UI", "[gateway][auth]") {
  Fixture f(true);
  CHECK(f.call("GET", "/api/vcenters").status == 401);
  CHECK(f.call("GET", "/api/vcenters", "", "bad").status == 403);
  CHECK(f.call("GET", "/api/vcenters", "", "s3cret").status == 200);
  CHECK(f.call("GET", "/api/health").status == 200);
  CHECK(f.call("GET", "/metrics").status == 200);
  CHECK(f.call("GET", "/api/openapi.yaml").status == 200);
}

TEST_CASE("gateway: aggregation requests are validated before anything is published", "[gateway]") {
  Fixture f;
  const auto post = [&](const std::string& body) { return f.call("POST", "/api/snapshots/aggregate", body, "s3cret"); };
  CHECK(Fixture::error_of(post("{not json")) == "invalid_json");
  CHECK(post("{not json").status == 400);
  CHECK(Fixture::error_of(post("[1,2]")) == "invalid_json");
  CHECK(Fixture::error_of(post("")) == "invalid_json");
  CHECK(Fixture::error_of(post(R"({"kind":"weekly","period":"2026-11-20"})")) == "invalid_parameter");
  CHECK(Fixture::error_of(post(R"({"kind":"daily","period":"2026-11-31"})")) == "invalid_period");
  CHECK(Fixture::error_of(post(R"({"kind":"daily","period":"2026-11"})")) == "invalid_period");
  CHECK(Fixture::error_of(post(R"({"kind":"monthly","period":"2026-11-20"})")) == "invalid_period");
  CHECK(Fixture::error_of(post(R"({"kind":"daily","period":"2026-11-26"})")) == "invalid_period");  // future
  CHECK(Fixture::error_of(post(R"({"kind":"daily","period":20261120})")) == "invalid_period");
  CHECK(Fixture::error_of(post(R"({"kind":"daily","period":"2026-11-20","wait":61})")) == "invalid_parameter");
  CHECK(Fixture::error_of(post(R"({"kind":"daily","period":"2026-11-20","wait":"5"})")) == "invalid_parameter");
  CHECK(f.events.requested.empty());
  CHECK(post(R"({"kind":"monthly","period":"2026-11"})").status == 200);
}

TEST_CASE("gateway: an aggregation not done within wait answers 202 and can be followed", "[gateway]") {
  Fixture f;
  f.events.complete = false;
  const auto r =
      f.call("POST", "/api/snapshots/aggregate", R"({"kind":"daily","period":"2026-11-20","wait":0})", "s3cret");
  REQUIRE(r.status == 202);
  const auto body = json::parse(r.body);
  const std::string id = body.at("request_id");
  CHECK(body.at("status") == "pending");
  CHECK(id == core::SeededRandom(42).uuid());  // the id comes from the source the API was given
  CHECK(r.header("Location") == "/api/requests/" + id);
  CHECK(json::parse(f.call("GET", "/api/requests/" + id).body).at("status") == "pending");
  f.tracker.complete(AggregateOutcome{id, "daily", "2026-11-20", "summary_daily_20261120", 7, "failed", "no input"});
  const auto followed = json::parse(f.call("GET", "/api/requests/" + id).body);
  CHECK(followed.at("status") == "failed");
  CHECK(followed.at("error") == "no input");
  CHECK(followed.at("reports").empty());
  CHECK(f.call("GET", "/api/requests/unknown").status == 404);
}

TEST_CASE("gateway: bad query parameters are refused before any query", "[gateway]") {
  Fixture f;
  CHECK(Fixture::error_of(f.call("GET", "/api/summaries/daily/2026-02-30")) == "invalid_period");
  CHECK(Fixture::error_of(f.call("GET", "/api/summaries/daily/20261120")) == "invalid_period");
  CHECK(Fixture::error_of(f.call("GET", "/api/summaries/monthly/2026-13")) == "invalid_period");
  CHECK(Fixture::error_of(f.call("GET", "/api/snapshots?from=tomorrow")) == "invalid_period");
  CHECK(Fixture::error_of(f.call("GET", "/api/snapshots?kind=weekly")) == "invalid_parameter");
  CHECK(Fixture::error_of(f.call("GET", "/api/snapshots?from=2026-11-20&to=2026-11-01")) == "invalid_period");
  CHECK(Fixture::error_of(f.call("GET", "/api/inventory?limit=100000")) == "invalid_parameter");
  CHECK(Fixture::error_of(f.call("GET", "/api/inventory?cursor=abc")) == "invalid_parameter");
  CHECK(Fixture::error_of(f.call("GET", "/api/vms/x/history?from=2020-01-01&to=2026-01-01")) == "invalid_period");
  CHECK(f.data.queries == 0);
  CHECK(f.call("GET", "/api/inventory?limit=5&cursor=10&name=web").status == 200);
  CHECK(f.data.last_inventory_query.limit == 5);
  CHECK(f.data.last_inventory_query.offset == 10);
  CHECK(f.data.last_inventory_query.name == "web");
  CHECK(f.call("GET", "/api/snapshots?from=2026-11-20&to=2026-11-20&kind=daily").status == 200);
  CHECK(f.data.last_snapshot_query.from == core::parse_iso8601("2026-11-20T00:00:00Z"));
  CHECK(f.data.last_snapshot_query.to == core::parse_iso8601("2026-11-21T00:00:00Z"));  // the day is included
  CHECK(f.call("GET", "/api/snapshots?to=2026-11-20T13:00:00Z").status == 200);
  CHECK(f.data.last_snapshot_query.to == core::parse_iso8601("2026-11-20T13:00:00Z"));
  CHECK(f.call("GET", "/api/summaries/monthly/2026-10").status == 404);
  CHECK(f.call("DELETE", "/api/reports").status == 405);
  CHECK(f.call("GET", "/api/nothing").status == 404);
}

TEST_CASE("gateway: summaries as JSON, totals and CSV", "[gateway]") {
  Fixture f;
  Table t;
  t.columns = {"name", "tenant", "resource_pool", "cluster", "presence", "avg_vcpu", "avg_ram_gb", "avg_disk_gb"};
  t.rows = {{"a", "acme", "prod", "c1", 1.0, 4, 8.0, 100.0}};
  f.data.summary = t;
  const auto rows = json::parse(f.call("GET", "/api/summaries/daily/2026-11-20").body);
  CHECK(rows.at("rows").at(0).at("name") == "a");
  const auto totals = json::parse(f.call("GET", "/api/summaries/daily/2026-11-20?group_by=tenant").body);
  CHECK(totals.at("rows").at(0).at("tenant") == "acme");
  CHECK(totals.at("rows").at(0).at("vcpu") == 4.0);
  const auto csv = f.call("GET", "/api/summaries/daily/2026-11-20?group_by=pool&format=csv");
  CHECK(csv.status == 200);
  CHECK(csv.header("Content-Type").value().rfind("text/csv", 0) == 0);
  CHECK(csv.body.rfind("pool,vms,vm_days", 0) == 0);
  CHECK(Fixture::error_of(f.call("GET", "/api/summaries/daily/2026-11-20?group_by=host")) == "invalid_parameter");
  CHECK(Fixture::error_of(f.call("GET", "/api/summaries/daily/2026-11-20?format=xml")) == "invalid_parameter");
}

TEST_CASE("gateway: reports download only by names the reports table lists", "[gateway]") {
  Fixture f;
  test::write_file(f.dir / "daily_2026-11-20.xlsx", "PK-fake-xlsx");
  test::write_file(f.dir / "unlisted.xlsx", "secret");
  f.data.report_list = {{"daily", "2026-11-20", "daily_2026-11-20.xlsx", 12, "2026-11-21T00:10:00Z"},
                        {"daily", "2026-11-19", "daily_2026-11-19.xlsx", 12, "2026-11-20T00:10:00Z"}};
  const auto ok = f.call("GET", "/api/reports/daily_2026-11-20.xlsx");
  CHECK(ok.status == 200);
  CHECK(ok.body == "PK-fake-xlsx");
  CHECK(ok.header("Content-Disposition").value().find("daily_2026-11-20.xlsx") != std::string::npos);
  CHECK(f.call("GET", "/api/reports/unlisted.xlsx").status == 404);
  CHECK(f.call("GET", "/api/reports/daily_2026-11-19.xlsx").status == 404);  // listed, file missing
  const int before = f.data.queries;
  for (const std::string& target : std::vector<std::string>{
           "/api/reports/..%2Funlisted.xlsx", "/api/reports/%2e%2e", "/api/reports/..", "/api/reports/%2Fetc%2Fpasswd",
           "/api/reports/..%2F..%2Fetc%2Fpasswd", "/api/reports/.hidden", "/api/reports/a%5Cb"}) {
    INFO(target);
    CHECK(f.call("GET", target).status == 400);
  }
  CHECK(f.data.queries == before);
  const auto list = json::parse(f.call("GET", "/api/reports").body);
  CHECK(list.at("reports").size() == 2);
  CHECK(list.at("reports").at(0).at("url") == "/api/reports/daily_2026-11-20.xlsx");
}

TEST_CASE("gateway: /metrics counts requests by route and status", "[gateway]") {
  Fixture f;
  f.call("GET", "/api/vcenters");
  f.call("GET", "/api/vcenters");
  f.call("POST", "/api/snapshots/run");
  const auto text = f.call("GET", "/metrics").body;
  CHECK_THAT(text,
             Catch::Contains(R"(vctp_gateway_http_requests_total{method="GET",route="/api/vcenters",status="200"} 2)"));
  CHECK_THAT(text, Catch::Contains(R"(route="/api/snapshots/run",status="401"} 1)"));
  CHECK_THAT(text, Catch::Contains("vctp_gateway_http_request_duration_seconds_bucket"));
}

TEST_CASE("gateway: GatewayMetrics registers its metrics once, in one registry", "[gateway]") {
  metrics::Registry registry;
  GatewayMetrics declared(registry);
  CHECK_THAT(registry.serialize(), Catch::Contains("vctp_gateway_auth_failures_total 0"));
  declared.requests("/api/vcenters", "GET", 200).inc();
  declared.request_duration("/api/vcenters").observe(0.01);
  declared.events_published("vctp.snapshot.requested").inc();
  CHECK(declared.events_published("vctp.snapshot.requested").value() == 1);
  const auto text = registry.serialize();
  CHECK_THAT(text,
             Catch::Contains(R"(vctp_gateway_http_requests_total{method="GET",route="/api/vcenters",status="200"} 1)"));
  CHECK_THAT(text, Catch::Contains(R"(vctp_gateway_http_request_duration_seconds_count{route="/api/vcenters"} 1)"));
  CHECK_THAT(text, Catch::Contains(R"(vctp_gateway_events_published_total{subject="vctp.snapshot.requested"} 1)"));
}

TEST_CASE("gateway: readiness reports the database and NATS", "[gateway]") {
  Fixture f;
  CHECK(f.call("GET", "/api/ready").status == 200);
  f.data.ready = false;
  const auto r = f.call("GET", "/api/ready");
  CHECK(r.status == 503);
  CHECK(json::parse(r.body).at("checks").at("nats") == "ok");
}

TEST_CASE("gateway: the OpenAPI document lists exactly the router's routes", "[gateway][openapi]") {
  Fixture f;
  std::set<std::string> routed;
  for (const auto& r : f.api->router().routes()) {
    std::string method = r.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    routed.insert(method + " " + r.pattern);
  }
  const YAML::Node doc = YAML::LoadFile(VCTP_OPENAPI_FILE);
  CHECK(doc["openapi"].as<std::string>().rfind("3.", 0) == 0);
  std::set<std::string> documented;
  for (const auto& path : doc["paths"]) {
    for (const auto& op : path.second)
      documented.insert(op.first.as<std::string>() + " " + path.first.as<std::string>());
  }
  CHECK(routed == documented);
  // The binary serves the document as it was at build time: the file in the tree.
  std::ifstream in(VCTP_OPENAPI_FILE);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(openapi_document() == text.str());
}

TEST_CASE("gateway: the OpenAPI Error schema lists exactly the error names", "[gateway][openapi]") {
  const YAML::Node doc = YAML::LoadFile(VCTP_OPENAPI_FILE);
  std::set<std::string> documented;
  for (const auto& name : doc["components"]["schemas"]["Error"]["properties"]["error"]["enum"]) {
    documented.insert(name.as<std::string>());
  }
  std::set<std::string> named;
  for (const auto& info : http::kErrorTable) named.insert(std::string(info.name));
  CHECK(named == documented);
}

TEST_CASE("gateway: the web UI is served with its scripts, nothing else", "[gateway][ui]") {
  Fixture f;
  std::filesystem::create_directories(f.dir / "web");
  test::write_file(f.dir / "web" / "index.html", "<html>vctp</html>");
  test::write_file(f.dir / "web" / "app.js", "'use strict';");
  const auto index = f.call("GET", "/");
  CHECK(index.status == 200);
  CHECK(index.header("Content-Type").value().rfind("text/html", 0) == 0);
  CHECK(index.header("Content-Security-Policy"));
  CHECK(f.call("GET", "/ui/app.js").header("Content-Type").value().rfind("text/javascript", 0) == 0);
  CHECK(f.call("GET", "/ui/missing.js").status == 404);
  CHECK(f.call("GET", "/ui/..%2Findex.html").status == 404);
  CHECK(f.call("GET", "/ui/.env").status == 404);
  // The real UI's files are in the tree.
  CHECK(std::filesystem::exists(find_web_root({}) / "index.html"));
  CHECK(std::filesystem::exists(find_web_root({}) / "app.js"));
}

TEST_CASE("gateway: a snapshot of an unknown vCenter answers 404 and publishes nothing", "[gateway]") {
  Fixture f;
  const auto unknown = f.call("POST", "/api/snapshots/run", R"({"vcenter":"vc9.example.com"})", "s3cret");
  CHECK(unknown.status == 404);
  CHECK(Fixture::error_of(unknown) == "not_found");
  CHECK(f.events.requested.empty());
  CHECK(f.call("POST", "/api/snapshots/run", R"({"vcenter":"vc1.example.com"})", "s3cret").status == 202);
  CHECK(f.call("POST", "/api/snapshots/run", R"({"vcenter":"https://vc1.example.com/sdk"})", "s3cret").status == 202);
  CHECK(f.call("POST", "/api/snapshots/run", "{}", "s3cret").status == 202);
  CHECK(f.events.requested ==
        std::vector<std::string>{"snapshot vc1.example.com", "snapshot https://vc1.example.com/sdk", "snapshot *"});
}

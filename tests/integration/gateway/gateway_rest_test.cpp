#include <sys/stat.h>

#include <algorithm>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "gateway_harness.hpp"
#include "gateway_seed.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/bus/events.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/store/snapshot_registry.hpp"

using namespace vctp;
using namespace vctp::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kAuth = "Authorization: Bearer " + kTestToken;

/// A gateway over a seeded database of `driver`.
struct SeededGateway {
  explicit SeededGateway(const std::string& driver, const std::string& extra = {}) : db(driver) {
    {
      auto database = db.open();
      seeded = seed_gateway_data(*database, dir / "reports", std::chrono::system_clock::now());
    }
    gateway = std::make_unique<GatewayProcess>(dir, db.driver(), db.url(), extra);
  }
  HttpResult get(const std::string& path) { return http_call("GET", gateway->base_url() + path); }
  HttpResult post(const std::string& path, const std::string& body, const std::vector<std::string>& headers = {kAuth}) {
    return http_call("POST", gateway->base_url() + path, body, headers);
  }
  bool healthy() { return get("/api/health").status == 200; }

  TempDir dir;
  GatewayTestDatabase db;
  SeededData seeded;
  std::unique_ptr<GatewayProcess> gateway;
};

std::string error_of(const HttpResult& r) {
  try {
    return json::parse(r.body).at("error");
  } catch (const std::exception&) {
    return "(not an error body: " + r.body.substr(0, 200) + ")";
  }
}

}  // namespace

TEST_CASE("gateway: a fresh start with no certificate generates one and answers HTTPS", "[gateway][tls]") {
  TempDir dir;
  GatewayTestDatabase db("sqlite");
  GatewayProcess gateway(dir, db.driver(), db.url());
  REQUIRE(std::filesystem::exists(gateway.cert_file()));
  struct stat st {};
  REQUIRE(::stat(gateway.key_file().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto health = run_command("curl -sk " + gateway.base_url() + "/api/health");
  CHECK(health.status == 0);
  CHECK(json::parse(health.output).at("status") == "ok");
  const auto verified = run_command("curl -s --cacert " + gateway.cert_file().string() + " " + gateway.base_url() + "/api/health");
  CHECK(verified.status == 0);
  CHECK(http_call("GET", "http://127.0.0.1:" + std::to_string(gateway.port()) + "/api/health").status != 200);
  CHECK(gateway.stop() == 0);
}

TEST_CASE("gateway: bind_disable_tls serves plain HTTP and generates no certificate", "[gateway][tls]") {
  TempDir dir;
  GatewayTestDatabase db("sqlite");
  GatewayProcess gateway(dir, db.driver(), db.url(), "  bind_disable_tls: true\n");
  CHECK(gateway.base_url().rfind("http://", 0) == 0);
  const auto health = http_call("GET", gateway.base_url() + "/api/health");
  CHECK(health.status == 200);
  CHECK(json::parse(health.body).at("status") == "ok");
  CHECK_FALSE(std::filesystem::exists(gateway.cert_file()));
  CHECK_FALSE(std::filesystem::exists(gateway.key_file()));
  CHECK(http_call("GET", "https://127.0.0.1:" + std::to_string(gateway.port()) + "/api/health").status != 200);
  CHECK(gateway.stop() == 0);
}

TEST_CASE("gateway: REST reads over a seeded database", "[gateway]") {
  const std::string driver = GENERATE(as<std::string>{}, "sqlite", "postgres");
  INFO(driver);
  SeededGateway g(driver);
  const auto& s = g.seeded;

  const auto vcenters = json::parse(g.get("/api/vcenters").body).at("vcenters");
  REQUIRE(vcenters.size() == 2);
  CHECK(vcenters[0].at("vcenter") == "vc1.example.com");
  CHECK(vcenters[0].at("inventory_vms") == 4);
  CHECK(vcenters[0].at("last_snapshot_status") == "ok");
  CHECK(vcenters[1].at("failures_24h") == 1);
  CHECK(vcenters[1].at("last_snapshot_status") == "failed");

  const auto daily = json::parse(g.get("/api/snapshots?kind=daily").body);
  REQUIRE(daily.at("snapshots").size() == 3);
  CHECK(daily.at("snapshots")[0].at("period_start").get<std::string>().rfind(s.day_text, 0) == 0);
  const auto page = json::parse(g.get("/api/snapshots?kind=hourly&limit=5").body);
  CHECK(page.at("snapshots").size() == 5);
  REQUIRE(page.at("next_cursor").is_string());
  const auto next = json::parse(g.get("/api/snapshots?kind=hourly&limit=5&cursor=" + page.at("next_cursor").get<std::string>()).body);
  CHECK(next.at("snapshots").size() == 5);
  CHECK(next.at("snapshots")[0] != page.at("snapshots")[0]);

  const auto web = json::parse(g.get("/api/inventory?name=WEB").body).at("vms");
  CHECK(web.size() == 3);
  CHECK(web[0].at("name") == "web-01");
  CHECK(json::parse(g.get("/api/inventory?tenant=initech").body).at("vms").size() == 3);
  CHECK(json::parse(g.get("/api/inventory?name=%25").body).at("vms").empty());  // LIKE wildcards are literal
  const auto first = json::parse(g.get("/api/inventory?limit=4").body);
  CHECK(first.at("vms").size() == 4);
  const auto rest = json::parse(g.get("/api/inventory?limit=4&cursor=" + first.at("next_cursor").get<std::string>()).body);
  CHECK(rest.at("vms").size() == 3);
  CHECK(rest.at("next_cursor").is_null());

  const auto history = json::parse(g.get("/api/vms/" + s.vm_instance_uuid + "/history").body).at("days");
  REQUIRE(history.size() == 3);
  CHECK(history[0].at("name") == s.vm_name);

  const auto totals = json::parse(g.get("/api/summaries/daily/" + s.day_text + "?group_by=tenant").body).at("rows");
  REQUIRE(totals.size() == 3);
  CHECK(totals[0].at("tenant") == "acme");
  CHECK(totals[0].at("vms") == 3);
  CHECK(totals[0].at("vcpu").get<double>() == Approx(16.0));
  CHECK(totals[1].at("tenant") == "globex");
  CHECK(totals[1].at("vm_days").get<double>() == Approx(0.5));
  CHECK(totals[2].at("tenant") == "initech");
  CHECK(totals[2].at("vms") == 2);
  CHECK(totals[2].at("uncharged_vms") == 1);  // the template
  const auto rows = json::parse(g.get("/api/summaries/daily/" + s.day_text).body).at("rows");
  CHECK(rows.size() == 7);
  CHECK(rows[0].at("period") == s.day_text);
  const auto csv = g.get("/api/summaries/monthly/" + s.month_text + "?group_by=pool&format=csv");
  CHECK(csv.status == 200);
  CHECK_THAT(csv.body, Catch::StartsWith("pool,vms,vm_days,vcpu") && Catch::Contains("databases,1,3.0,"));
  CHECK(g.get("/api/summaries/daily/1999-01-01").status == 404);

  const auto reports = json::parse(g.get("/api/reports").body).at("reports");
  CHECK(reports.size() == 2);
  const auto download = g.get("/api/reports/" + s.report_files[0]);
  CHECK(download.status == 200);
  CHECK(download.body == read_file(g.gateway->reports_dir() / s.report_files[0]));
  CHECK_THAT(download.headers, Catch::Contains("attachment"));

  CHECK(json::parse(g.get("/api/ready").body).at("checks").at("database") == "ok");
  CHECK(g.gateway->stop() == 0);
}

TEST_CASE("gateway: bad requests get the right 4xx and the server keeps serving", "[gateway]") {
  SeededGateway g("sqlite");
  const auto& s = g.seeded;
  const auto url = g.gateway->base_url();

  SECTION("malformed JSON and bad periods") {
    CHECK(error_of(g.post("/api/snapshots/aggregate", "{\"kind\": \"daily\", ")) == "invalid_json");
    CHECK(g.post("/api/snapshots/aggregate", "{\"kind\": \"daily\", ").status == 400);
    CHECK(error_of(g.post("/api/snapshots/aggregate", R"({"kind":"daily","period":"2026-02-30"})")) == "invalid_period");
    CHECK(error_of(g.post("/api/snapshots/aggregate", R"({"kind":"monthly","period":"2026-13"})")) == "invalid_period");
    CHECK(error_of(g.post("/api/snapshots/aggregate", R"({"kind":"daily","period":"'; DROP TABLE reports; --"})")) == "invalid_period");
    CHECK(error_of(g.get("/api/summaries/daily/2026-11-31")) == "invalid_period");
    CHECK(error_of(g.get("/api/summaries/monthly/november")) == "invalid_period");
    CHECK(error_of(g.get("/api/snapshots?from=not-a-date")) == "invalid_period");
    CHECK(error_of(g.get("/api/inventory?limit=5000")) == "invalid_parameter");
    CHECK(error_of(g.get("/api/snapshots?cursor=garbage")) == "invalid_parameter");
    CHECK(json::parse(g.get("/api/reports").body).at("reports").size() == 2);
  }
  SECTION("a 10 MB body") {
    TempDir tmp;
    write_file(tmp / "big.json", "{\"kind\":\"daily\",\"period\":\"" + std::string(10 * 1024 * 1024, 'x') + "\"}");
    const auto r = http_call("POST", url + "/api/snapshots/aggregate", {}, {kAuth}, false, (tmp / "big.json").string());
    CHECK(r.status == 413);
    CHECK(error_of(r) == "payload_too_large");
  }
  SECTION("path traversal on report downloads") {
    for (const std::string& path : std::vector<std::string>{
             "/api/reports/../../etc/passwd", "/api/reports/..%2F..%2Fetc%2Fpasswd", "/api/reports/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
             "/api/reports/%2e%2e", "/api/reports/%2Fetc%2Fpasswd", "/api/reports/..%2Foutside.txt",
             "/api/reports/%2e%2e%2Foutside.txt", "/api/reports/..%5Coutside.txt"}) {
      INFO(path);
      const auto r = http_call("GET", url + path, {}, {}, true);
      CHECK(r.status == 400);
      CHECK_THAT(r.body, !Catch::Contains("root:") && !Catch::Contains("outside the reports dir"));
    }
    CHECK(g.get("/api/reports/" + s.unlisted_file).status == 404);
    CHECK(g.get("/api/reports/" + s.report_files[1]).status == 200);
  }
  SECTION("missing and wrong tokens") {
    const std::string body = R"({"kind":"daily","period":")" + s.day_text + "\"}";
    const auto none = g.post("/api/snapshots/aggregate", body, {});
    CHECK(none.status == 401);
    CHECK(error_of(none) == "unauthorized");
    CHECK_THAT(none.headers, Catch::Contains("WWW-Authenticate"));
    CHECK(g.post("/api/snapshots/aggregate", body, {"Authorization: Bearer wrong"}).status == 403);
    CHECK(g.post("/api/snapshots/aggregate", body, {"Authorization: Basic Zm9vOmJhcg=="}).status == 401);
    CHECK(g.post("/api/snapshots/run", "{}", {"Authorization: Bearer " + test_token_hash()}).status == 403);
    CHECK(g.get("/api/vcenters").status == 200);  // reads are open by default
  }
  SECTION("slow-loris clients") {
    // Connections that never finish their TLS handshake: each is closed at the read timeout,
    // and meanwhile other clients are served.
    std::vector<std::unique_ptr<RawConnection>> slow;
    for (int i = 0; i < 12; ++i) {
      slow.push_back(std::make_unique<RawConnection>(g.gateway->port()));
      slow.back()->send(std::string(1, '\x16'));
    }
    CHECK(g.healthy());
    CHECK(json::parse(g.get("/api/vcenters").body).at("vcenters").size() == 2);
    bool all_closed = true;
    for (auto& c : slow) {
      for (int i = 0; i < 5; ++i) c->send(std::string(1, '\x03'));
      all_closed = c->read_until_close(60s).second && all_closed;
    }
    CHECK(all_closed);
  }
  CHECK(g.healthy());
  CHECK(g.gateway->running());
  const auto metrics = g.get("/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("vctp_gateway_http_requests_total{"));
  CHECK(g.gateway->stop() == 0);
}

TEST_CASE("gateway: hostile input gets a 400 with the JSON error shape, never a 500", "[gateway]") {
  SeededGateway g("sqlite");
  const auto url = g.gateway->base_url();
  struct Case {
    std::string method, path, body;
  };
  const std::vector<Case> cases{
      // Bytes that are not UTF-8 in a path, a query or a body.
      {"GET", "/api/summaries/daily/%ff%fe", ""},
      {"GET", "/api/snapshots?from=%ff", ""},
      {"GET", "/api/vms/%ff/history", ""},
      {"GET", "/api/inventory?name=%c0%af", ""},
      {"POST", "/api/snapshots/aggregate", "\xff\xfe{"},
      {"POST", "/api/snapshots/aggregate", "{\"kind\":\"daily\",\"period\":\"\xff\xfe\"}"},
      // Years outside the period range (1970..2200).
      {"GET", "/api/summaries/daily/0001-01-01", ""},
      {"GET", "/api/summaries/daily/9999-12-31", ""},
      {"GET", "/api/summaries/monthly/1969-12", ""},
      {"GET", "/api/summaries/monthly/2201-01", ""},
      {"GET", "/api/vms/vm-1/history?from=1900-01-01&to=1900-01-02", ""},
      {"POST", "/api/snapshots/aggregate", R"({"kind":"daily","period":"1969-12-31"})"},
      {"POST", "/api/snapshots/aggregate", R"({"kind":"monthly","period":"0001-01"})"},
      // Times past what 64-bit nanoseconds hold, offsets that are no offsets.
      {"GET", "/api/snapshots?from=2300-01-01", ""},
      {"GET", "/api/snapshots?to=2300-01-01", ""},
      {"GET", "/api/snapshots?from=9999-12-31T23:59:59Z", ""},
      {"GET", "/api/snapshots?from=2026-11-24T10:00:00%2B99:99", ""},
      // Numbers that overflow.
      {"GET", "/api/inventory?cursor=9223372036854775808", ""},
      {"GET", "/api/inventory?cursor=99999999999999999999999", ""},
      {"GET", "/api/snapshots?cursor=9223372036854775808", ""},
      {"GET", "/api/snapshots?cursor=2026-11-24T10:00:00Z/9223372036854775808", ""},
      {"POST", "/api/snapshots/aggregate", R"({"kind":"daily","period":"2026-11-20","wait":1e309})"},
      {"POST", "/api/snapshots/aggregate", R"({"kind":"daily","period":"2026-11-20","wait":-1e309})"},
      {"POST", "/api/snapshots/run", R"({"vcenter":"vc1.example.com","x":1e400})"},
  };
  for (const auto& c : cases) {
    INFO(c.method << " " << c.path << " " << c.body);
    const auto r = c.method == "GET" ? http_call("GET", url + c.path, {}, {}, true) : g.post(c.path, c.body);
    CHECK(r.status == 400);
    const auto body = json::parse(r.body, nullptr, false);
    REQUIRE(body.is_object());
    CHECK(body.at("error").is_string());
    CHECK(body.at("detail").is_string());
    CHECK_THAT(r.headers, Catch::Contains("X-Content-Type-Options: nosniff", Catch::CaseSensitive::No));
  }
  // Counted like any other answer: by route and status 400, and nothing answered 500.
  const auto metrics = g.get("/metrics").body;
  const std::string total = "vctp_gateway_http_requests_total";
  CHECK_THAT(metrics, Catch::Contains(total + R"({method="GET",route="/api/summaries/daily/{day}",status="400"} 2)"));
  CHECK_THAT(metrics, Catch::Contains(total + R"({method="GET",route="/api/snapshots",status="400"} 7)"));
  CHECK_THAT(metrics, Catch::Contains(total + R"({method="POST",route="/api/snapshots/aggregate",status="400"} 6)"));
  // Paths that are not UTF-8 match no route.
  CHECK_THAT(metrics, Catch::Contains(total + R"({method="GET",route="unmatched",status="400"} 2)"));
  CHECK_THAT(metrics, !Catch::Contains(R"(status="500")"));
  CHECK(g.healthy());
  CHECK(g.gateway->stop() == 0);
}

TEST_CASE("gateway: api_auth_reads requires the token for reads", "[gateway]") {
  SeededGateway g("sqlite", "  api_auth_reads: true\n");
  CHECK(g.get("/api/vcenters").status == 401);
  CHECK(http_call("GET", g.gateway->base_url() + "/api/vcenters", {}, {"Authorization: Bearer nope"}).status == 403);
  CHECK(http_call("GET", g.gateway->base_url() + "/api/vcenters", {}, {kAuth}).status == 200);
  CHECK(g.get("/api/health").status == 200);
  CHECK(g.get("/").status == 200);
}

TEST_CASE("gateway: regenerating a period publishes the request and waits for its completion", "[gateway][nats]") {
  SeededGateway g("sqlite", "  vcenter_addresses: [\"https://vc1.example.com/sdk\"]\n");
  const auto& s = g.seeded;
  core::Settings settings = core::Settings::defaults();
  settings.nats_url = fixture_value("nats", "url").value();
  metrics::Registry registry;
  bus::ConnectionOptions options;
  options.name = "fake-aggregator";
  options.retry_on_failed_connect = false;
  bus::Connection connection(settings, registry, options);
  connection.ensure_stream();
  bus::EventPublisher publisher(connection, "aggregator");
  std::atomic<int> answered{0};
  std::atomic<bool> answer{true};
  // Plays the aggregator: answers each request it sees with a completion carrying its id.
  auto subscription = connection.subscribe(bus::AggregateRequested::kSubject, [&](const bus::Message& m) {
    const auto request = bus::parse_event<bus::AggregateRequested>(m.data);
    if (!answer) return;
    std::thread([&, request] {
      bus::AggregateCompleted done;
      done.kind = request.kind;
      done.period = request.period;
      done.table = "summary_daily_" + request.period.substr(0, 4) + request.period.substr(5, 2) + request.period.substr(8, 2);
      done.rows = 6;
      done.request_id = request.request_id;
      publisher.publish(done);
      ++answered;
    }).detach();
  });

  const auto r = g.post("/api/snapshots/aggregate", R"({"kind":"daily","period":")" + s.day_text + R"(","wait":20})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto body = json::parse(r.body);
  CHECK(body.at("status") == "ok");
  CHECK(body.at("rows") == 6);
  CHECK(body.at("period") == s.day_text);
  CHECK(answered == 1);

  answer = false;
  const auto pending = g.post("/api/snapshots/aggregate", R"({"kind":"monthly","period":")" + s.month_text + R"(","wait":0})");
  REQUIRE(pending.status == 202);
  const std::string id = json::parse(pending.body).at("request_id");
  CHECK(json::parse(g.get("/api/requests/" + id).body).at("status") == "pending");
  bus::AggregateCompleted late;
  late.kind = bus::AggregateKind::kMonthly;
  late.period = s.month_text;
  late.table = "summary_monthly_x";
  late.request_id = id;
  late.status = bus::JobStatus::kFailed;
  late.error = "no daily summaries";
  publisher.publish(late);
  CHECK(eventually([&] { return json::parse(g.get("/api/requests/" + id).body).at("status") == "failed"; }, 10s));

  // A refusal builds no table: its completion has an empty one, and still ends the request.
  const auto refused = g.post("/api/snapshots/aggregate", R"({"kind":"daily","period":")" + s.day_text + R"(","wait":0})");
  REQUIRE(refused.status == 202);
  const std::string refused_id = json::parse(refused.body).at("request_id");
  bus::AggregateCompleted no_table;
  no_table.kind = bus::AggregateKind::kDaily;
  no_table.period = s.day_text;
  no_table.request_id = refused_id;
  no_table.status = bus::JobStatus::kFailed;
  no_table.error = "invalid daily period";
  publisher.publish(no_table);
  CHECK(eventually([&] { return json::parse(g.get("/api/requests/" + refused_id).body).at("status") == "failed"; }, 10s));
  const auto refused_status = json::parse(g.get("/api/requests/" + refused_id).body);
  CHECK(refused_status.at("error") == "invalid daily period");
  CHECK(refused_status.at("table") == "");

  const auto run = g.post("/api/snapshots/run", R"({"vcenter":"vc1.example.com"})");
  CHECK(run.status == 202);
  const auto unknown = g.post("/api/snapshots/run", R"({"vcenter":"vc9.example.com"})");
  CHECK(unknown.status == 404);
  CHECK(error_of(unknown) == "not_found");
  CHECK(json::parse(g.get("/api/ready").body).at("checks").at("nats") == "ok");
  subscription.close();
  CHECK(g.gateway->stop() == 0);
}

TEST_CASE("gateway: a request lists only report files the reporter can write", "[gateway][nats]") {
  SeededGateway g("sqlite");
  const auto& s = g.seeded;
  core::Settings settings = core::Settings::defaults();
  settings.nats_url = fixture_value("nats", "url").value();
  metrics::Registry registry;
  bus::Connection connection(settings, registry);
  REQUIRE(connection.wait_connected(10s));
  connection.ensure_stream();
  bus::EventPublisher aggregator(connection, "aggregator");
  bus::EventPublisher reporter(connection, "reporter");
  auto subscription = connection.subscribe(bus::AggregateRequested::kSubject, [&](const bus::Message& m) {
    const auto request = bus::parse_event<bus::AggregateRequested>(m.data);
    std::thread([&, request] {
      bus::AggregateCompleted done;
      done.kind = request.kind;
      done.period = request.period;
      done.table = "summary_daily_x";
      done.request_id = request.request_id;
      aggregator.publish(done);
    }).detach();
  });
  const auto r = g.post("/api/snapshots/aggregate", R"({"kind":"daily","period":")" + s.day_text + R"(","wait":20})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  const std::string id = json::parse(r.body).at("request_id");

  const auto announce = [&](const std::string& file) {
    bus::ReportGenerated report;
    report.kind = bus::PeriodKind::kDaily;
    report.period = s.day_text;
    report.file = file;
    report.bytes = 10;
    reporter.publish(report);
  };
  const std::string day_digits = s.day_text.substr(0, 4) + s.day_text.substr(5, 2) + s.day_text.substr(8, 2);
  const std::string real = "vctp_daily_" + day_digits + ".xlsx";
  for (const char* forged : {"../../../../etc/passwd", "/etc/passwd", "notes.txt", "vctp_daily_x.xlsx"}) {
    announce(forged);
  }
  announce(real);
  // Announced in order on one connection: once the real one is listed, the forged ones were seen.
  REQUIRE(eventually(
      [&] {
        const auto body = json::parse(g.get("/api/requests/" + id).body);
        return body.contains("reports") && !body.at("reports").empty();
      },
      10s));
  const auto body = json::parse(g.get("/api/requests/" + id).body);
  INFO(body.dump());
  CHECK(body.at("reports") == json::array({real}));
  subscription.close();
  CHECK(g.gateway->stop() == 0);
}

TEST_CASE("gateway: serves the OpenAPI document and the web UI", "[gateway][ui]") {
  SeededGateway g("sqlite");
  CHECK(g.get("/api/openapi.yaml").body == read_file(source_dir() / "proto" / "openapi.yaml"));
  const auto index = g.get("/");
  CHECK(index.status == 200);
  CHECK_THAT(index.body, Catch::Contains("/ui/app.js"));
  CHECK(g.get("/ui/app.js").status == 200);
  CHECK(g.get("/ui/style.css").status == 200);
}

namespace {

/// The value of a response header (the last one of that name), or "" when absent.
std::string header_of(const HttpResult& r, const std::string& name) {
  std::string lower_name = name;
  std::transform(lower_name.begin(), lower_name.end(), lower_name.begin(), ::tolower);
  std::string value;
  std::istringstream lines(r.headers);
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    if (key != lower_name) continue;
    value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
  }
  return value;
}

}  // namespace

TEST_CASE("gateway: a cached listing is never stale: a snapshot registered after it changes the answer", "[gateway]") {
  const std::string driver = GENERATE(as<std::string>{}, "sqlite", "postgres");
  INFO(driver);
  SeededGateway g(driver);
  const std::string path = "/api/snapshots?kind=hourly&limit=1000";
  const auto first = g.get(path);
  REQUIRE(first.status == 200);
  const auto etag = header_of(first, "ETag");
  const auto last_modified = header_of(first, "Last-Modified");
  REQUIRE_FALSE(etag.empty());
  REQUIRE_FALSE(last_modified.empty());
  CHECK(header_of(first, "Cache-Control") == "no-cache");
  const auto before = json::parse(first.body).at("snapshots").size();

  // Served again from the cache: the same bytes, and 304 to the validators.
  CHECK(g.get(path).body == first.body);
  const auto not_modified = http_call("GET", g.gateway->base_url() + path, {}, {"If-None-Match: " + etag});
  CHECK(not_modified.status == 304);
  CHECK(not_modified.body.empty());
  CHECK(header_of(not_modified, "ETag") == etag);
  CHECK(header_of(not_modified, "X-Content-Type-Options") == "nosniff");
  CHECK(http_call("GET", g.gateway->base_url() + path, {}, {"If-Modified-Since: " + last_modified}).status == 304);

  // A new hourly snapshot lands (the collector's registration, from another connection).
  {
    auto database = g.db.open();
    const auto hour = std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now());
    store::Registration r{store::TableName::hourly(hour), "vc9.example.com", 42, store::SnapshotStatus::kOk, {}, {}};
    store::SnapshotRegistry(*database).record(r);
  }
  const auto after = g.get(path);
  REQUIRE(after.status == 200);
  const auto listed = json::parse(after.body).at("snapshots");
  CHECK(listed.size() == before + 1);
  CHECK(listed[0].at("vcenter") == "vc9.example.com");
  CHECK(header_of(after, "ETag") != etag);
  // The old validators no longer match: the changed answer, not a 304.
  CHECK(http_call("GET", g.gateway->base_url() + path, {}, {"If-None-Match: " + etag}).status == 200);
  CHECK(http_call("GET", g.gateway->base_url() + path, {}, {"If-Modified-Since: " + last_modified}).status == 200);
  CHECK(http_call("GET", g.gateway->base_url() + path, {}, {"If-None-Match: " + header_of(after, "ETag")}).status ==
        304);
  CHECK(g.gateway->stop() == 0);
}

TEST_CASE("gateway: cached answers and 304s still need the token under api_auth_reads", "[gateway][auth]") {
  SeededGateway g("sqlite", "  api_auth_reads: true\n");
  const std::string url = g.gateway->base_url() + "/api/snapshots?kind=daily";
  const auto ok = http_call("GET", url, {}, {kAuth});
  REQUIRE(ok.status == 200);
  CHECK(header_of(ok, "Cache-Control") == "private, no-cache");
  const auto etag = header_of(ok, "ETag");
  CHECK(http_call("GET", url).status == 401);
  CHECK(http_call("GET", url, {}, {"If-None-Match: " + etag}).status == 401);
  CHECK(http_call("GET", url, {}, {"If-None-Match: " + etag, "Authorization: Bearer wrong-token"}).status == 403);
  const auto cached = http_call("GET", url, {}, {"If-None-Match: " + etag, kAuth});
  CHECK(cached.status == 304);
  CHECK(header_of(cached, "Cache-Control") == "private, no-cache");
  CHECK(header_of(cached, "Referrer-Policy") == "no-referrer");
  CHECK(g.gateway->stop() == 0);
}

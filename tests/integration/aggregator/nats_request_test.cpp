// An ad-hoc aggregation request over the real nats-server of the `nats` CTest fixture is
// answered on the requester's reply subject and announced on vctp.aggregate.completed, on both
// backends; a malformed one gets a failed answer naming the problem.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <nlohmann/json.hpp>

#include "aggregator_service.hpp"
#include "aggregator_test_db.hpp"
#include "day_fixture.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/bus/events.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/store/snapshot_writer.hpp"
#include "vctp/store/table_name.hpp"

using namespace vctp;

namespace {

std::string nats_url() {
  const auto url = test::fixture_value("nats", "url");
  if (!url) throw std::runtime_error("the nats fixture is not running (run the tests through ctest)");
  return *url;
}

/// Messages received on a subject, by request_id.
class Inbox {
 public:
  void add(const std::string& data) {
    const auto j = nlohmann::json::parse(data, nullptr, false);
    if (!j.is_object()) return;
    std::string key;
    if (j.contains("request_id") && j["request_id"].is_string()) {
      key = j["request_id"].get<std::string>();
    } else if (j.contains("period") && j["period"].is_string()) {
      key = "period:" + j["period"].get<std::string>();  // unrequested (triggered) summaries
    } else {
      return;
    }
    std::lock_guard lock(mutex_);
    by_id_[key] = j;
    cv_.notify_all();
  }
  std::optional<nlohmann::json> wait(const std::string& id, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [&] { return by_id_.count(id) > 0; })) return std::nullopt;
    return by_id_[id];
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, nlohmann::json> by_id_;
};

void check_request_answered(store::Backend backend) {
  test::AggregatorTestDb tdb(backend);
  test::write_fixture_day(*tdb.open());
  // One VM at 00:00 today (UTC): today is not closed, so only a trigger builds its summary.
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const auto today_text = aggregator::Period::containing(aggregator::SummaryKind::kDaily, today).text();
  {
    auto r = test::vm_row("vm-today");
    r.snapshot_time = today;
    store::SnapshotWriter(*tdb.open()).write_vms(store::TableName::hourly(today), std::string("vc1"), {r});
  }

  core::Settings settings = core::Settings::defaults();
  settings.database_driver = tdb.driver();
  settings.database_url = tdb.url();
  settings.nats_url = nats_url();
  settings.tenants_to_filter = {"internal-*"};
  settings.node_charge_clusters = {"GPU-*"};
  settings.srm_activeactive_vms = {"SRM-AA-*"};
  settings.vcenter_inventory_aggregate_seconds = 3600;
  metrics::Registry registry;
  core::CommandLine command_line;
  core::StopToken stop;
  service::Readiness readiness;
  const core::SystemClock clock;
  const auto db = tdb.open();
  bus::Connection nats(settings, registry);
  aggregator::AggregatorMetrics metrics(registry);
  service::ServiceContext context{settings, registry, command_line, stop, readiness, clock, *db, nats};
  aggregator::AggregatorService service(context, metrics);
  service.start();

  metrics::Registry client_metrics;
  bus::Connection client(settings, client_metrics);
  REQUIRE(client.wait_connected(std::chrono::seconds(10)));
  client.ensure_stream();
  Inbox replies, completed;
  const auto inbox = client.new_inbox();
  auto reply_sub = client.subscribe(inbox, [&](const bus::Message& m) { replies.add(m.data); });
  auto done_sub = client.subscribe(std::string(bus::AggregateCompleted::kSubject),
                                   [&](const bus::Message& m) { completed.add(m.data); });

  const std::string suffix = std::string(store::Backend::kSqlite == backend ? "sqlite" : "pg") +
                             "-" + bus::new_uuid();
  bus::PublishOptions options;
  options.headers[std::string(bus::kReplyToHeader)] = inbox;

  bus::AggregateRequested request;
  request.kind = bus::AggregateKind::kDaily;
  request.period = "2026-11-24";
  request.request_id = "ok-" + suffix;
  bus::stamp(request, "ops", std::chrono::system_clock::now());
  client.publish_js(bus::AggregateRequested::kSubject, bus::serialize_event(request), options);

  bus::AggregateRequested bad = request;
  bad.envelope = {};
  bad.period = "2026-13-01";
  bad.request_id = "bad-" + suffix;
  bus::stamp(bad, "ops", std::chrono::system_clock::now());
  client.publish_js(bus::AggregateRequested::kSubject, bus::serialize_event(bad), options);

  // Periods outside the one period range (1970..2200): refused with a failed completion that
  // every consumer accepts, and terminated as malformed rather than retried.
  std::vector<bus::AggregateRequested> out_of_range;
  for (const auto& [kind, period] : {std::pair{bus::AggregateKind::kDaily, "1969-12-31"},
                                     std::pair{bus::AggregateKind::kMonthly, "0001-01"},
                                     std::pair{bus::AggregateKind::kDaily, "2201-01-01"}}) {
    bus::AggregateRequested r = request;
    r.envelope = {};
    r.kind = kind;
    r.period = period;
    r.request_id = std::string("range-") + period + "-" + suffix;
    bus::stamp(r, "ops", std::chrono::system_clock::now());
    client.publish_js(bus::AggregateRequested::kSubject, bus::serialize_event(r), options);
    out_of_range.push_back(r);
  }
  bus::SnapshotCompleted too_early;
  too_early.kind = bus::PeriodKind::kHourly;
  too_early.table = "snap_hourly_1969123123";
  too_early.vcenter = "vc1";
  too_early.period_start = *core::parse_iso8601("1969-12-31T23:00:00Z");
  too_early.rows = 1;
  bus::stamp(too_early, "collector", std::chrono::system_clock::now());
  client.publish_js(bus::SnapshotCompleted::kSubject, bus::serialize_event(too_early));

  const auto answer = replies.wait(request.request_id, std::chrono::seconds(60));
  REQUIRE(answer);
  const auto parsed = bus::parse_event<bus::AggregateCompleted>(answer->dump());
  CHECK(parsed.status == bus::JobStatus::kOk);
  CHECK(parsed.table == "summary_daily_20261124");
  CHECK(parsed.rows == 9);
  CHECK(parsed.period == "2026-11-24");
  CHECK(parsed.envelope.source == "aggregator");

  const auto refused = replies.wait(bad.request_id, std::chrono::seconds(60));
  REQUIRE(refused);
  CHECK((*refused)["status"] == "failed");
  CHECK((*refused)["period"] == "2026-13-01");
  CHECK((*refused)["rows"] == 0);
  REQUIRE((*refused)["error"].is_string());
  CHECK((*refused)["error"].get<std::string>().find("2026-13-01") != std::string::npos);

  for (const auto& r : out_of_range) {
    INFO(r.period);
    const auto reply = replies.wait(r.request_id, std::chrono::seconds(60));
    REQUIRE(reply);
    const auto done = bus::parse_event<bus::AggregateCompleted>(reply->dump());  // valid on the bus
    CHECK(done.status == bus::JobStatus::kFailed);
    CHECK(done.period == r.period);
    CHECK(done.table.empty());
    CHECK(done.error.has_value());
    const auto announced = completed.wait(r.request_id, std::chrono::seconds(30));
    REQUIRE(announced);
    CHECK_NOTHROW(bus::parse_event<bus::AggregateCompleted>(announced->dump()));
  }
  const auto counter = [&](const std::string& name, std::string_view subject, const char* result) {
    metrics::Labels labels{{"consumer", bus::durable_name("aggregator", subject)}};
    if (result) labels["result"] = result;
    return registry.counter(name, "", labels).value();
  };
  // Four malformed requests (2026-13-01 and the three above) and the snapshot: each delivered
  // once and terminated.
  CHECK(test::eventually([&] {
    return counter("vctp_bus_invalid_messages_total", bus::AggregateRequested::kSubject, nullptr) >= 4 &&
           counter("vctp_bus_invalid_messages_total", bus::SnapshotCompleted::kSubject, nullptr) >= 1;
  }, std::chrono::seconds(30)));
  CHECK(counter("vctp_bus_messages_total", bus::AggregateRequested::kSubject, "retried") == 0);
  CHECK(counter("vctp_bus_messages_total", bus::SnapshotCompleted::kSubject, "retried") == 0);

  // Both are announced on vctp.aggregate.completed too.
  const auto event = completed.wait(request.request_id, std::chrono::seconds(30));
  REQUIRE(event);
  CHECK((*event)["status"] == "ok");
  const auto failed_event = completed.wait(bad.request_id, std::chrono::seconds(30));
  REQUIRE(failed_event);
  CHECK((*failed_event)["status"] == "failed");

  // The last hour of a day closes it: today's 23:00 snapshot builds today's summary (from the
  // 00:00 snapshot written above) without any request.
  bus::SnapshotCompleted hourly;
  hourly.kind = bus::PeriodKind::kHourly;
  hourly.table = store::TableName::hourly(today + std::chrono::hours(23)).str();
  hourly.vcenter = "vc1";
  hourly.period_start = today + std::chrono::hours(23);
  hourly.rows = 1;
  bus::stamp(hourly, "collector", std::chrono::system_clock::now());
  client.publish_js(bus::SnapshotCompleted::kSubject, bus::serialize_event(hourly));
  const auto closed = completed.wait("period:" + today_text, std::chrono::seconds(60));
  REQUIRE(closed);
  CHECK((*closed)["status"] == "ok");
  CHECK((*closed)["rows"] == 1);

  auto check_db = tdb.open();
  CHECK(check_db->query("SELECT COUNT(*) FROM summary_daily_20261124")[0].get_int(0) == 9);
  CHECK(check_db->query("SELECT COUNT(*) FROM snapshot_registry WHERE table_name = 'summary_daily_20261124'")[0].get_int(0) == 1);
  const auto text = registry.serialize();
  // At least the malformed request failed (the shared stream may hold older requests too).
  CHECK(text.find("vctp_daily_aggregations_failed_total ") != std::string::npos);
  CHECK(text.find("vctp_daily_aggregations_failed_total 0\n") == std::string::npos);
  service.stop();
}

}  // namespace

TEST_CASE("an ad-hoc request over NATS is answered (SQLite)", "[aggregator]") {
  check_request_answered(store::Backend::kSqlite);
}

TEST_CASE("an ad-hoc request over NATS is answered (PostgreSQL)", "[aggregator]") {
  check_request_answered(store::Backend::kPostgres);
}

TEST_CASE("a Vctp-Reply-To that is not an inbox gets no answer there, an inbox still does", "[aggregator]") {
  test::AggregatorTestDb tdb(store::Backend::kSqlite);
  core::Settings settings = core::Settings::defaults();
  settings.database_driver = tdb.driver();
  settings.database_url = tdb.url();
  settings.nats_url = nats_url();
  settings.vcenter_inventory_aggregate_seconds = 3600;
  metrics::Registry registry;
  core::CommandLine command_line;
  core::StopToken stop;
  service::Readiness readiness;
  const core::SystemClock clock;
  const auto db = tdb.open();
  bus::Connection nats(settings, registry);
  aggregator::AggregatorMetrics metrics(registry);
  service::ServiceContext context{settings, registry, command_line, stop, readiness, clock, *db, nats};
  aggregator::AggregatorService service(context, metrics);
  service.start();

  metrics::Registry client_metrics;
  bus::Connection client(settings, client_metrics);
  REQUIRE(client.wait_connected(std::chrono::seconds(10)));
  client.ensure_stream();
  // $JS.API.INFO only reads the account's JetStream usage: harmless if the fix is missing.
  const std::vector<std::string> forbidden = {"vctp.snapshot.requested", "$JS.API.INFO"};
  std::mutex mutex;
  std::vector<std::string> leaked;
  std::vector<bus::Subscription> subscriptions;
  for (const auto& subject : forbidden) {
    subscriptions.push_back(client.subscribe(subject, [&](const bus::Message& m) {
      if (m.data.find("vctp.aggregate.completed") == std::string::npos) return;  // not an answer
      std::lock_guard lock(mutex);
      leaked.push_back(m.subject);
    }));
  }
  Inbox replies, completed;
  const auto inbox = client.new_inbox();
  auto reply_sub = client.subscribe(inbox, [&](const bus::Message& m) { replies.add(m.data); });
  auto done_sub = client.subscribe(std::string(bus::AggregateCompleted::kSubject),
                                   [&](const bus::Message& m) { completed.add(m.data); });

  const auto ask = [&](const std::string& reply_to, const std::string& request_id) {
    bus::PublishOptions options;
    options.headers[std::string(bus::kReplyToHeader)] = reply_to;
    bus::AggregateRequested request;
    request.kind = bus::AggregateKind::kDaily;
    request.period = "2026-11-24";
    request.request_id = request_id;
    bus::stamp(request, "ops", std::chrono::system_clock::now());
    client.publish_js(bus::AggregateRequested::kSubject, bus::serialize_event(request), options);
  };
  const std::string suffix = bus::new_uuid();
  for (std::size_t i = 0; i < forbidden.size(); ++i) ask(forbidden[i], "forbidden-" + std::to_string(i) + "-" + suffix);
  ask(inbox, "inbox-" + suffix);

  // Each request is handled (announced on vctp.aggregate.completed) ...
  for (std::size_t i = 0; i < forbidden.size(); ++i) {
    CHECK(completed.wait("forbidden-" + std::to_string(i) + "-" + suffix, std::chrono::seconds(60)));
  }
  // ... the inbox gets its answer ...
  const auto answer = replies.wait("inbox-" + suffix, std::chrono::seconds(60));
  REQUIRE(answer);
  CHECK((*answer)["request_id"] == "inbox-" + suffix);
  // ... and nothing arrives on the forbidden subjects within a window after.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  {
    std::lock_guard lock(mutex);
    CHECK(leaked.empty());
  }
  service.stop();
}

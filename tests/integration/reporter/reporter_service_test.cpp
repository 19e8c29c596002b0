#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <mutex>

#include "nats_server.hpp"
#include "report_seed.hpp"
#include "test_support.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/bus/events.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/metrics/registry.hpp"

using namespace vctp::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST_CASE("reporter service: events trigger reports, announced on vctp.report.generated and counted", "[reporter]") {
  vctp::bus::test::NatsServer nats;
  const auto url = std::optional<std::string>(nats.url());
  TempDir dir;
  const fs::path db = dir / "vctp.sqlite3";
  const fs::path reports = dir / "reports";
  reporter::seed_database(db, 40);
  write_file(dir / "vctp.yml", reporter::reporter_settings(db, reports, true, *url));

  vctp::metrics::Registry registry;
  vctp::core::Settings settings = vctp::core::Settings::defaults();
  settings.nats_url = *url;
  vctp::bus::Connection connection(settings, registry);
  connection.ensure_stream();
  std::mutex mutex;
  std::vector<vctp::bus::ReportGenerated> announced;
  auto subscription = connection.subscribe(vctp::bus::ReportGenerated::kSubject, [&](const vctp::bus::Message& m) {
    std::lock_guard lock(mutex);
    announced.push_back(vctp::bus::parse_event<vctp::bus::ReportGenerated>(m.data));
  });

  ChildProcess child({binary_dir().string() + "/bin/vctp-reporter", "-settings", (dir / "vctp.yml").string()},
                     dir / "log.txt");
  const int port = logged_port(dir / "log.txt", kMetricsListening, child);
  const std::string metrics_url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  // The child opens its log after the fork: reading it before then throws.
  REQUIRE(eventually([&] { return fs::exists(dir / "log.txt"); }, 10s));
  INFO(read_file(dir / "log.txt"));
  REQUIRE(eventually([&] { return http_get(metrics_url).find("vctp_reports_available 0") != std::string::npos; }, 20s));

  vctp::bus::EventPublisher publisher(connection, "test");
  vctp::bus::SnapshotCompleted snapshot;
  snapshot.kind = vctp::bus::PeriodKind::kHourly;
  snapshot.table = "snap_hourly_2026112413";
  snapshot.vcenter = "vc1.example.com";
  snapshot.period_start = *vctp::core::parse_iso8601("2026-11-24T13:00:00Z");
  snapshot.rows = 53;
  publisher.publish(snapshot);
  vctp::bus::AggregateCompleted aggregate;
  aggregate.kind = vctp::bus::AggregateKind::kDaily;
  aggregate.period = "2026-11-24";
  aggregate.table = "summary_daily_20261124";
  aggregate.rows = 80;
  publisher.publish(aggregate);

  const auto has_reports = [&] {
    return fs::exists(reports / "vctp_hourly_2026112413.xlsx") && fs::exists(reports / "vctp_daily_20261124.xlsx");
  };
  REQUIRE(eventually(has_reports, 60s));
  const auto find_announced = [&](const std::string& file) -> std::optional<vctp::bus::ReportGenerated> {
    std::lock_guard lock(mutex);
    for (const auto& e : announced) {
      if (e.file == file) return e;
    }
    return std::nullopt;
  };
  REQUIRE(eventually([&] { return find_announced("vctp_daily_20261124.xlsx").has_value(); }, 30s));
  REQUIRE(eventually([&] { return find_announced("vctp_hourly_2026112413.xlsx").has_value(); }, 30s));
  const auto daily = *find_announced("vctp_daily_20261124.xlsx");
  CHECK(daily.kind == vctp::bus::PeriodKind::kDaily);
  CHECK(daily.period == "2026-11-24");
  CHECK(daily.envelope.source == "reporter");
  CHECK(daily.bytes == static_cast<std::int64_t>(fs::file_size(reports / "vctp_daily_20261124.xlsx")));
  CHECK(find_announced("vctp_hourly_2026112413.xlsx")->period == "2026-11-24T13:00:00Z");
  CHECK(eventually([&] { return http_get(metrics_url).find("vctp_reports_available 2") != std::string::npos; }, 10s));

  // Events that can never become reports: a refused aggregation (failed, no table) is valid and
  // ignored; a snapshot of a period out of range is malformed, terminated at once and counted,
  // never retried.
  const auto durable = [](std::string_view subject) { return vctp::bus::durable_name("reporter", subject); };
  const auto metric = [&](const std::string& name, const std::string& labels) {
    const std::string text = http_get(metrics_url);
    const std::string key = name + "{" + labels + "} ";
    const auto at = text.find(key);
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + key.size()));
  };
  const std::string aggregates = "consumer=\"" + durable(vctp::bus::AggregateCompleted::kSubject) + "\"";
  const std::string snapshots = "consumer=\"" + durable(vctp::bus::SnapshotCompleted::kSubject) + "\"";
  vctp::bus::AggregateCompleted refused;
  refused.kind = vctp::bus::AggregateKind::kDaily;
  refused.period = "1969-12-31";
  refused.request_id = "refused-1";
  refused.status = vctp::bus::JobStatus::kFailed;
  refused.error = "invalid daily period '1969-12-31'";
  publisher.publish(refused);
  vctp::bus::SnapshotCompleted too_early = snapshot;
  too_early.envelope = {};
  too_early.table = "snap_hourly_1969123123";
  too_early.period_start = *vctp::core::parse_iso8601("1969-12-31T23:00:00Z");
  publisher.publish(too_early);
  CHECK(eventually([&] { return metric("vctp_bus_messages_total", aggregates + ",result=\"acked\"") == 2; }, 30s));
  CHECK(eventually([&] { return metric("vctp_bus_invalid_messages_total", snapshots) == 1; }, 30s));
  CHECK(metric("vctp_bus_invalid_messages_total", aggregates) == 0);
  CHECK(metric("vctp_bus_messages_total", snapshots + ",result=\"retried\"") <= 0);
  CHECK(metric("vctp_bus_messages_total", aggregates + ",result=\"retried\"") <= 0);

  // A redelivery of an event handled to the end (JetStream delivers at least once: after a
  // server restart it can deliver an acknowledged message again) is acknowledged, not reported
  // again. Published under another message id, so that JetStream's duplicate window keeps it.
  REQUIRE(eventually([&] { return metric("vctp_bus_messages_total", snapshots + ",result=\"acked\"") == 1; }, 30s));
  vctp::bus::PublishOptions again;
  again.msg_id = snapshot.envelope.id + "-redelivered";
  publisher.publish(snapshot, again);
  REQUIRE(eventually([&] { return metric("vctp_bus_messages_total", snapshots + ",result=\"acked\"") == 2; }, 30s));
  const auto announcements = [&](const std::string& file) {
    std::lock_guard lock(mutex);
    return std::count_if(announced.begin(), announced.end(), [&](const auto& e) { return e.file == file; });
  };
  // Watching a window for an announcement that must not come.
  CHECK_FALSE(eventually([&] { return announcements("vctp_hourly_2026112413.xlsx") > 1; }, 3s));

  // A removed report shows at the next periodic recount.
  fs::remove(reports / "vctp_hourly_2026112413.xlsx");
  CHECK(eventually([&] { return http_get(metrics_url).find("vctp_reports_available 1") != std::string::npos; }, 40s));

  child.signal(SIGTERM);
  const auto status = child.wait_for_exit(15s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}

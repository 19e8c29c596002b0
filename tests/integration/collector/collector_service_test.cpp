#include <catch2/catch.hpp>

#include <csignal>
#include <mutex>
#include <regex>

#include "collector_test_support.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/bus/events.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/store/database.hpp"

using namespace vctp;
using namespace vctp::test;

namespace {

/// A nats-server with JetStream of this test's own, on a probed free port (a third-party server:
/// the test reaches it by a fixed URL).
struct NatsServer {
  explicit NatsServer(const TempDir& dir)
      : port(free_port()),
        process({"nats-server", "-js", "-a", "127.0.0.1", "-p", std::to_string(port), "-sd", (dir / "nats").string()},
                dir / "nats.log") {
    REQUIRE(eventually(
        [&] { return run_command("bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) + "'").status == 0; },
        std::chrono::seconds(20)));
  }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port); }
  int port;
  ChildProcess process;
};

/// Points a settings file written by write_collector_settings at `nats`, with the metrics on port 0.
void use_nats_and_port_zero(const std::filesystem::path& settings_path, const NatsServer& nats) {
  std::string text = read_file(settings_path);
  text = std::regex_replace(text, std::regex("nats_url: .*"), "nats_url: " + nats.url());
  text = std::regex_replace(text, std::regex("collector_metrics_port: .*"), "collector_metrics_port: 0");
  write_file(settings_path, text);
}

double metric_value(const std::string& body, const std::string& series) {
  const auto at = body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("collector service: requested snapshots, failures, events, inventory and session renewal", "[collector]") {
  TempDir dir;
  NatsServer nats(dir);
  VcsimOptions good_options;
  good_options.vms = 3;
  VcsimProcess good(good_options);
  VcsimOptions bad_options;
  bad_options.password = "not-the-one";
  VcsimProcess bad(bad_options);

  const auto settings_path =
      write_collector_settings(dir, {good.sdk_url(), bad.sdk_url()}, "pass",
                               "  vcenter_event_polling_seconds: 1\n  vcenter_inventory_polling_seconds: 1\n");
  use_nats_and_port_zero(settings_path, nats);

  ChildProcess collector({collector_binary(), "-settings", settings_path.string()}, dir / "collector.log");
  const int metrics_port = logged_port(dir / "collector.log", kMetricsListening, collector);
  REQUIRE(eventually([&] { return !http_get("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics").empty(); },
                     std::chrono::seconds(30)));

  auto settings = core::Settings::defaults();
  settings.nats_url = nats.url();
  metrics::Registry registry;
  bus::Connection connection(settings, registry);
  REQUIRE(connection.wait_connected(std::chrono::seconds(10)));

  std::mutex mutex;
  std::vector<bus::SnapshotCompleted> completed;
  auto subscription = connection.subscribe(bus::SnapshotCompleted::kSubject, [&](const bus::Message& m) {
    std::lock_guard lock(mutex);
    completed.push_back(bus::parse_event<bus::SnapshotCompleted>(m.data));
  });
  bus::EventPublisher publisher(connection, "ops");
  const auto count_completed = [&](const std::string& vcenter, bus::JobStatus status) {
    std::lock_guard lock(mutex);
    return std::count_if(completed.begin(), completed.end(),
                         [&](const auto& e) { return e.vcenter && *e.vcenter == vcenter && e.status == status; });
  };
  const auto good_label = good.sdk_url().substr(7, good.sdk_url().find("/sdk") - 7);
  const auto bad_label = bad.sdk_url().substr(7, bad.sdk_url().find("/sdk") - 7);

  bus::SnapshotRequested request;
  publisher.publish(request);
  INFO(read_file(dir / "collector.log"));
  REQUIRE(eventually(
      [&] {
        return count_completed(good_label, bus::JobStatus::kOk) == 1 &&
               count_completed(bad_label, bus::JobStatus::kFailed) == 1;
      },
      std::chrono::seconds(60)));
  {
    std::lock_guard lock(mutex);
    for (const auto& e : completed) {
      if (e.status == bus::JobStatus::kOk) {
        CHECK(e.rows == static_cast<std::int64_t>(good.dump().at("vms").size()));
        CHECK(e.table.rfind("snap_hourly_", 0) == 0);
      } else {
        CHECK(e.error.has_value());
      }
    }
  }
  const std::string body = http_get("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
  CHECK(metric_value(body, "vctp_hourly_snapshots_total") == 2);
  CHECK(metric_value(body, "vctp_hourly_snapshots_failed_total") == 1);
  CHECK(metric_value(body, "vctp_vcenter_connect_failures_total{vcenter=\"" + bad_label + "\"}") >= 1);
  CHECK(metric_value(body, "vctp_vcenter_connect_failures_total{vcenter=\"" + good_label + "\"}") == 0);
  CHECK(metric_value(body, "vctp_vcenter_inventory_size{vcenter=\"" + good_label + "\"}") ==
        static_cast<double>(good.dump().at("vms").size()));
  CHECK(metric_value(body, "vctp_hourly_snapshot_last_rows") == static_cast<double>(good.dump().at("vms").size()));

  // A VM created and one destroyed show in the events and in the inventory.
  const std::string victim = good.dump().at("vms").at(0).at("name");
  const std::string victim_uuid = good.dump().at("vms").at(0).at("instance_uuid");
  good.control("/vm/create", {{"name", "created-by-test"}, {"cpus", 2}, {"memory_mb", 2048}});
  good.control("/vm/destroy", {{"vm", victim}});
  auto db = store::open_database("sqlite", (dir / "db.sqlite3").string());
  CHECK(eventually(
      [&] {
        const auto created = db->query(
            "SELECT vcpu_count, creation_time FROM inventory WHERE name = 'created-by-test' AND deletion_time IS NULL");
        const auto removed = db->query("SELECT deletion_time FROM inventory WHERE instance_uuid = $1", {victim_uuid});
        const auto events = db->query("SELECT event_type FROM vm_events WHERE event_type = 'VmRemovedEvent'");
        return created.size() == 1 && created[0].get_int("vcpu_count") == 2 && removed.size() == 1 &&
               !removed[0].is_null("deletion_time") && !events.empty();
      },
      std::chrono::seconds(30)));
  CHECK_FALSE(
      db->query("SELECT 1 FROM vm_events WHERE event_type = 'VmCreatedEvent' AND vm_name = 'created-by-test'").empty());

  // An expired session is renewed: the next snapshot of the good vCenter still succeeds.
  good.control("/session/invalidate");
  bus::SnapshotRequested again;
  again.vcenter = good_label;
  publisher.publish(again);
  REQUIRE(eventually([&] { return count_completed(good_label, bus::JobStatus::kOk) == 2; }, std::chrono::seconds(60)));

  collector.signal(SIGTERM);
  const auto status = collector.wait_for_exit(std::chrono::seconds(10));
  REQUIRE(status);
  CHECK(*status == 0);
}

TEST_CASE("collector service: a VM gone without an event is deleted when it was last seen", "[collector]") {
  TempDir dir;
  NatsServer nats(dir);
  VcsimProcess vcsim;
  // No event polling: the inventory refresh (every second) is all that notices the VM is gone.
  const auto settings_path = write_collector_settings(
      dir, {vcsim.sdk_url()}, "pass", "  vcenter_event_polling_seconds: 0\n  vcenter_inventory_polling_seconds: 1\n");
  use_nats_and_port_zero(settings_path, nats);
  ChildProcess collector({collector_binary(), "-settings", settings_path.string()}, dir / "collector.log");
  const int metrics_port = logged_port(dir / "collector.log", kMetricsListening, collector);
  REQUIRE(eventually([&] { return !http_get("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics").empty(); },
                     std::chrono::seconds(30)));
  INFO(read_file(dir / "collector.log"));

  const auto vms = vcsim.dump().at("vms");
  const std::string victim = vms.at(0).at("name");
  const std::string victim_uuid = vms.at(0).at("instance_uuid");
  auto db = store::open_database("sqlite", (dir / "db.sqlite3").string());
  // Seen by two refreshes at least, so its last sighting is before the refresh that misses it.
  REQUIRE(eventually(
      [&] {
        const auto rows =
            db->query("SELECT first_seen, last_seen FROM inventory WHERE instance_uuid = $1", {victim_uuid});
        return rows.size() == 1 && rows[0].get_time("last_seen") > rows[0].get_time("first_seen");
      },
      std::chrono::seconds(30)));

  vcsim.control("/vm/destroy", {{"vm", victim}});
  const auto destroyed = std::chrono::system_clock::now();
  REQUIRE(eventually(
      [&] {
        return !db->query("SELECT 1 FROM inventory WHERE instance_uuid = $1 AND deletion_time IS NOT NULL",
                          {victim_uuid})
                    .empty();
      },
      std::chrono::seconds(30)));
  const auto row = db->query("SELECT last_seen, deletion_time FROM inventory WHERE instance_uuid = $1", {victim_uuid});
  REQUIRE(row.size() == 1);
  CHECK(row[0].get_time("deletion_time") == row[0].get_time("last_seen"));
  CHECK(row[0].get_time("deletion_time") < destroyed + std::chrono::seconds(1));  // times are kept to the second
  CHECK(db->query("SELECT 1 FROM vm_events").empty());
  // The others are still alive.
  CHECK(db->query("SELECT COUNT(*) AS n FROM inventory WHERE deletion_time IS NULL")[0].get_int("n") ==
        static_cast<std::int64_t>(vms.size()) - 1);

  collector.signal(SIGTERM);
  const auto status = collector.wait_for_exit(std::chrono::seconds(10));
  REQUIRE(status);
  CHECK(*status == 0);
}

TEST_CASE("collector service: a snapshot request dated in the future is terminated and creates no table",
          "[collector]") {
  TempDir dir;
  NatsServer nats(dir);
  VcsimProcess vcsim;
  const auto settings_path = write_collector_settings(
      dir, {vcsim.sdk_url()}, "pass", "  vcenter_event_polling_seconds: 0\n  vcenter_inventory_polling_seconds: 0\n");
  use_nats_and_port_zero(settings_path, nats);
  ChildProcess collector({collector_binary(), "-settings", settings_path.string()}, dir / "collector.log");
  const int metrics_port = logged_port(dir / "collector.log", kMetricsListening, collector);
  const auto metrics_url = "http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics";
  REQUIRE(eventually([&] { return !http_get(metrics_url).empty(); }, std::chrono::seconds(30)));

  auto settings = core::Settings::defaults();
  settings.nats_url = nats.url();
  metrics::Registry registry;
  bus::Connection connection(settings, registry);
  REQUIRE(connection.wait_connected(std::chrono::seconds(10)));
  std::mutex mutex;
  std::vector<bus::SnapshotCompleted> completed;
  auto subscription = connection.subscribe(bus::SnapshotCompleted::kSubject, [&](const bus::Message& m) {
    std::lock_guard lock(mutex);
    completed.push_back(bus::parse_event<bus::SnapshotCompleted>(m.data));
  });
  bus::EventPublisher publisher(connection, "ops");

  bus::SnapshotRequested future;
  future.envelope = bus::make_envelope(bus::SnapshotRequested::kSubject, "ops",
                                       *core::parse_iso8601("2199-06-01T10:00:00Z"));
  publisher.publish(future);
  INFO(read_file(dir / "collector.log"));
  const std::string invalid = "vctp_bus_invalid_messages_total{consumer=\"collector-vctp-snapshot-requested\"}";
  REQUIRE(eventually([&] { return metric_value(http_get(metrics_url), invalid) == 1; }, std::chrono::seconds(30)));

  // A request of now is still taken, and only its table is there.
  bus::SnapshotRequested now;
  publisher.publish(now);
  REQUIRE(eventually(
      [&] {
        std::lock_guard lock(mutex);
        return !completed.empty();
      },
      std::chrono::seconds(60)));
  auto db = store::open_database("sqlite", (dir / "db.sqlite3").string());
  CHECK(db->query("SELECT name FROM sqlite_master WHERE name LIKE 'snap_%2199%'").empty());
  CHECK(db->query("SELECT table_name FROM snapshot_registry WHERE table_name LIKE '%2199%'").empty());
  {
    std::lock_guard lock(mutex);
    for (const auto& e : completed) {  // the scheduler may add its own job at the top of an hour
      CHECK(e.status == bus::JobStatus::kOk);
      CHECK(e.table.find("2199") == std::string::npos);
    }
  }

  collector.signal(SIGTERM);
  const auto status = collector.wait_for_exit(std::chrono::seconds(10));
  REQUIRE(status);
  CHECK(*status == 0);
}

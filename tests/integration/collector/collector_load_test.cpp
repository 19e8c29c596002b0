// The collector at the load of a real estate: 20 simulated vCenters of 2,000 VMs each, snapshotted
// by the running service (a vctp.snapshot.requested for all of them) four at a time. Only the
// outcome is checked; bench/collector/run.sh --load measures the wall time and memory.
#include <catch2/catch.hpp>

#include <csignal>
#include <future>
#include <memory>
#include <mutex>
#include <regex>
#include <set>

#include "collector_test_support.hpp"
#include "nats_server.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/bus/consumer.hpp"
#include "vctp/bus/events.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/table_name.hpp"

using namespace vctp;
using namespace vctp::test;
using namespace std::chrono_literals;

namespace {

constexpr int kVcenters = 20;
constexpr int kVmsPerVcenter = 2000;
constexpr int kConcurrency = 4;
/// A hang guard, not a timing check: the hour is done in well under half an hour.
constexpr auto kHourBound = std::chrono::minutes(30);

/// The simulators, started in parallel (each builds its inventory on start-up).
std::vector<std::unique_ptr<VcsimProcess>> start_vcenters() {
  std::vector<std::future<std::unique_ptr<VcsimProcess>>> starting;
  for (int i = 0; i < kVcenters; ++i) {
    starting.push_back(std::async(std::launch::async, [i] {
      VcsimOptions o;
      o.clusters = 2;
      o.vms = kVmsPerVcenter / 2;
      o.hosts = 0;
      o.random_sizes_seed = i + 1;
      o.start_timeout = std::chrono::minutes(10);
      return std::make_unique<VcsimProcess>(o);
    }));
  }
  std::vector<std::unique_ptr<VcsimProcess>> vcenters;
  for (auto& f : starting) vcenters.push_back(f.get());
  return vcenters;
}

std::string label_of(const VcsimProcess& vcsim) {
  const auto& url = vcsim.sdk_url();  // http://127.0.0.1:PORT/sdk
  return url.substr(7, url.find("/sdk") - 7);
}

/// The value of `series` (name and labels as printed) in a Prometheus text body, or -1.
double metric_value(const std::string& body, const std::string& series) {
  const auto at = body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("collector load: 20 vCenters of 2,000 VMs, four at a time: every row of the hour, every duration",
          "[collector][load]") {
  TempDir dir;
  bus::test::NatsServer nats;
  const auto vcenters = start_vcenters();

  // Each simulator is a vCenter of its own: its own label (host:port) and instance UUID.
  std::vector<std::string> urls;
  std::map<std::string, nlohmann::json> truth;  // label -> the simulator's dump
  std::set<std::string> vcenter_uuids;
  for (const auto& v : vcenters) {
    urls.push_back(v->sdk_url());
    auto dump = v->dump();
    REQUIRE(dump.at("vms").size() == static_cast<std::size_t>(kVmsPerVcenter));
    vcenter_uuids.insert(dump.at("vcenter_uuid").get<std::string>());
    truth[label_of(*v)] = std::move(dump);
  }
  REQUIRE(truth.size() == static_cast<std::size_t>(kVcenters));
  REQUIRE(vcenter_uuids.size() == static_cast<std::size_t>(kVcenters));

  // Polling off: the snapshot is all the collector does.
  const auto settings_path = write_collector_settings(
      dir, urls, "pass",
      "  hourly_snapshot_concurrency: " + std::to_string(kConcurrency) +
          "\n"
          "  vcenter_event_polling_seconds: 0\n"
          "  vcenter_inventory_polling_seconds: 0\n");
  write_file(settings_path,
             std::regex_replace(read_file(settings_path), std::regex("nats_url: .*"), "nats_url: " + nats.url()));
  ChildProcess collector({collector_binary(), "-settings", settings_path.string()}, dir / "collector.log");
  const std::string metrics_url =
      "http://127.0.0.1:" + std::to_string(logged_port(dir / "collector.log", kMetricsListening, collector)) +
      "/metrics";
  INFO(read_file(dir / "collector.log"));

  auto settings = core::Settings::defaults();
  settings.nats_url = nats.url();
  metrics::Registry registry;
  bus::Connection connection(settings, registry);
  REQUIRE(connection.wait_connected(10s));
  std::mutex mutex;
  std::optional<std::chrono::system_clock::time_point> hour;  // of the request; a scheduled snapshot may be of the next
  std::map<std::string, bus::SnapshotCompleted> completed;  // label -> its completion of `hour`
  auto subscription = connection.subscribe(bus::SnapshotCompleted::kSubject, [&](const bus::Message& m) {
    auto event = bus::parse_event<bus::SnapshotCompleted>(m.data);
    std::lock_guard lock(mutex);
    if (hour && event.period_start == *hour && event.vcenter) completed.emplace(*event.vcenter, std::move(event));
  });
  const auto count_completed = [&] {
    std::lock_guard lock(mutex);
    return completed.size();
  };
  // The collector's consumer is up once its durable exists; a request published before that
  // still reaches it (the stream keeps it).
  bus::EventPublisher publisher(connection, "ops");
  bus::SnapshotRequested request;
  {
    std::lock_guard lock(mutex);
    publisher.publish(request);
    hour = core::floor_hour(request.envelope.time);
  }
  REQUIRE(eventually([&] { return count_completed() == static_cast<std::size_t>(kVcenters); }, kHourBound));
  INFO(read_file(dir / "collector.log"));

  // Every vCenter's snapshot announced ok, of one hour, with all its rows.
  std::lock_guard lock(mutex);
  const std::string table = completed.begin()->second.table;
  CHECK(table == store::TableName::hourly(*hour).str());
  for (const auto& [label, event] : completed) {
    INFO(label);
    REQUIRE(truth.count(label) == 1);
    CHECK(event.status == bus::JobStatus::kOk);
    CHECK(event.rows == kVmsPerVcenter);
    CHECK(event.table == table);
    CHECK(event.duration_s > 0);
  }

  // The hour's table: exactly 40,000 rows, 2,000 of each vCenter under its own UUID, sizes as the
  // simulator has them; every vCenter registered ok with its row count.
  auto db = store::open_database("sqlite", (dir / "db.sqlite3").string());
  CHECK(db->query("SELECT COUNT(*) AS n FROM " + table)[0].get_int("n") == kVcenters * kVmsPerVcenter);
  const auto per_vcenter = db->query(
      "SELECT vcenter, COUNT(*) AS n, COUNT(DISTINCT instance_uuid) AS vms, COUNT(DISTINCT vcenter_uuid) AS uuids, "
      "MIN(vcenter_uuid) AS uuid, SUM(vcpu_count) AS cpus, SUM(ram_mb) AS ram FROM " +
      table + " GROUP BY vcenter");
  CHECK(per_vcenter.size() == static_cast<std::size_t>(kVcenters));
  for (const auto& row : per_vcenter) {
    const auto label = row.get_text("vcenter");
    INFO(label);
    REQUIRE(truth.count(label) == 1);
    const auto& dump = truth.at(label);
    CHECK(row.get_int("n") == kVmsPerVcenter);
    CHECK(row.get_int("vms") == kVmsPerVcenter);
    CHECK(row.get_int("uuids") == 1);
    CHECK(row.get_text("uuid") == dump.at("vcenter_uuid").get<std::string>());
    CHECK(row.get_int("cpus") == dump.at("total_cpus").get<std::int64_t>());
    CHECK(row.get_int("ram") == dump.at("total_memory_mb").get<std::int64_t>());
  }
  const auto registered =
      db->query("SELECT vcenter, status, row_count FROM snapshot_registry WHERE kind = 'hourly' AND table_name = $1",
                {table});
  CHECK(registered.size() == static_cast<std::size_t>(kVcenters));
  for (const auto& row : registered) {
    INFO(row.get_text("vcenter"));
    CHECK(truth.count(row.get_text("vcenter")) == 1);
    CHECK(row.get_text("status") == "ok");
    CHECK(row.get_int("row_count") == kVmsPerVcenter);
  }

  // The inventory holds every VM of every vCenter, alive, under its vCenter's UUID.
  const auto inventory = db->query(
      "SELECT COUNT(*) AS n, COUNT(DISTINCT vcenter_uuid) AS uuids FROM inventory WHERE deletion_time IS NULL");
  CHECK(inventory[0].get_int("n") == kVcenters * kVmsPerVcenter);
  CHECK(inventory[0].get_int("uuids") == kVcenters);

  // Each vCenter's duration and size in the metrics: its last snapshot, the one just announced.
  const std::string body = http_get(metrics_url);
  for (const auto& [label, event] : completed) {
    INFO(label);
    const std::string selector = "{vcenter=\"" + label + "\"}";
    CHECK(metric_value(body, "vctp_vcenter_snapshot_duration_seconds" + selector) ==
          Approx(event.duration_s).epsilon(1e-3));
    CHECK(metric_value(body, "vctp_vcenter_inventory_size" + selector) == kVmsPerVcenter);
  }
  CHECK(metric_value(body, "vctp_hourly_snapshots_failed_total") == 0);

  collector.signal(SIGTERM);
  const auto status = collector.wait_for_exit(30s);
  REQUIRE(status);
  CHECK(*status == 0);
}

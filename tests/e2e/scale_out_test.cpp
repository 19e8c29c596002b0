// Scale-out, as the architecture has it: more replicas behind NATS and PostgreSQL for the data,
// nothing of our own. Two scenarios of the fault suite: a 3-node NATS cluster (stream replicas 3)
// that loses a node and has another restarted while events flow, and two replicas of every
// service over one NATS and one PostgreSQL. Both check the outcome against the simulator's own
// truth: every hour, summary and report present exactly once, and (from the services' logs) every
// job done once.
#include <catch2/catch.hpp>

#include <csignal>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "e2e_suite.hpp"
#include "gateway_harness.hpp"
#include "nats_server.hpp"
#include "test_support.hpp"
#include "vcsim_process.hpp"

using namespace vctp::test;
using vctp::bus::test::NatsServer;
using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* kDay = "2026-11-24";

VcsimOptions small_vcenter(std::int64_t seed) {
  VcsimOptions o;
  o.vcenter_uuid = "5e1f0c0a-0000-4000-8000-00000000000" + std::to_string(seed % 10);
  o.clusters = 2;
  o.vms = 3;
  o.random_sizes_seed = seed;
  return o;
}

/// Three nats-server processes on 127.0.0.1 in one cluster, JetStream on each (its own store,
/// its own server name), every node routing to the two others.
class NatsCluster {
 public:
  NatsCluster() {
    std::vector<int> client_ports, route_ports;
    for (int i = 0; i < 3; ++i) {
      client_ports.push_back(free_port());
      route_ports.push_back(free_port());
    }
    for (int i = 0; i < 3; ++i) {
      std::string routes;
      for (int j = 0; j < 3; ++j) {
        if (j != i) routes += (routes.empty() ? "" : ",") + route(route_ports[static_cast<std::size_t>(j)]);
      }
      const auto at = static_cast<std::size_t>(i);
      nodes_.push_back(std::make_unique<NatsServer>(
          std::vector<std::string>{"-server_name", "vctp-n" + std::to_string(i + 1), "-cluster_name", "vctp",
                                   "-cluster", route(route_ports[at]), "-routes", routes},
          client_ports[at]));
    }
  }

  NatsServer& node(std::size_t i) { return *nodes_.at(i); }
  /// The client URLs of the three nodes, comma-separated (nats_url).
  std::string urls() const {
    std::string out;
    for (const auto& n : nodes_) out += (out.empty() ? "" : ",") + n->url();
    return out;
  }

 private:
  static std::string route(int port) { return "nats://127.0.0.1:" + std::to_string(port); }
  std::vector<std::unique_ptr<NatsServer>> nodes_;
};

/// The text of every life of `key`'s log.
std::string log_of(const E2eSuite& suite, const std::string& key) {
  std::string text;
  for (int life = 1; fs::exists(suite.dir() / (key + "." + std::to_string(life) + ".log")); ++life) {
    text += read_file(suite.dir() / (key + "." + std::to_string(life) + ".log"));
  }
  return text;
}

/// Log lines of `key` holding every one of `parts`.
int lines_with(const std::string& log, const std::vector<std::string>& parts) {
  int n = 0;
  std::size_t start = 0;
  while (start < log.size()) {
    auto end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const std::string_view line(log.data() + start, end - start);
    bool all = true;
    for (const auto& p : parts) all = all && line.find(p) != std::string_view::npos;
    if (all) ++n;
    start = end + 1;
  }
  return n;
}

/// The same count over every process of `service` (all replicas, all lives).
int lines_with(const E2eSuite& suite, const std::string& service, const std::vector<std::string>& parts) {
  int n = 0;
  for (const auto& key : suite.keys()) {
    if (key.rfind(service + "#", 0) == 0) n += lines_with(log_of(suite, key), parts);
  }
  return n;
}

bool every_log_has(const E2eSuite& suite, const std::string& service, const std::string& text) {
  for (const auto& key : suite.keys()) {
    if (key.rfind(service + "#", 0) == 0 && log_of(suite, key).find(text) == std::string::npos) return false;
  }
  return true;
}

/// Waits until every replica of `service` consumes; fails with every log when one does not.
void require_consuming(const E2eSuite& suite, const std::string& service) {
  if (!eventually([&] { return every_log_has(suite, service, service + " consuming"); }, std::chrono::seconds(90))) {
    FAIL("not every " << service << " consumes:\n" << suite.logs());
  }
}

/// vm_id per vCenter appearing more than once in `table`.
int doubled_vms(vctp::store::Database& db, const std::string& table) {
  return static_cast<int>(
      db.query("SELECT vcenter, vm_id FROM " + table + " GROUP BY vcenter, vm_id HAVING COUNT(*) > 1").size());
}

int rows_of(vctp::store::Database& db, const std::string& table) {
  return static_cast<int>(db.query("SELECT COUNT(*) AS n FROM " + table)[0].get_int("n"));
}

int report_rows(vctp::store::Database& db, const std::string& file) {
  return static_cast<int>(db.query("SELECT COUNT(*) AS n FROM reports WHERE file_name = $1", {file})[0].get_int("n"));
}

/// How the registry and the logs name the vCenter of `sdk_url`: its authority ("127.0.0.1:40123").
std::string vcenter_label(const std::string& sdk_url) {
  const auto start = sdk_url.find("://") + 3;
  return sdk_url.substr(start, sdk_url.find('/', start) - start);
}

std::string hourly_table(int hour) {
  char name[32];
  std::snprintf(name, sizeof name, "snap_hourly_20261124%02d", hour);
  return name;
}

std::string hourly_report(int hour) {
  char name[40];
  std::snprintf(name, sizeof name, "vctp_hourly_20261124%02d.xlsx", hour);
  return name;
}

}  // namespace

TEST_CASE("e2e: a 3-node NATS cluster loses a node and has another restarted while a day flows", "[e2e]") {
  NatsCluster cluster;
  VcsimProcess vcsim{small_vcenter(11)};
  E2eSuite suite{[&] {
    E2eOptions o;
    o.nats_url = cluster.urls();
    o.vcenters = {vcsim.sdk_url()};
    o.extra_settings = "  nats_stream_replicas: 3\n";
    return o;
  }()};
  REQUIRE(eventually([&] { return http_call("GET", suite.url("/api/ready")).status == 200; }, 60s));
  require_consuming(suite, "aggregator");
  require_consuming(suite, "reporter");

  std::string collector_output;
  const auto collect = [&](int from, int to) {
    for (int hour = from; hour < to; ++hour) {
      const auto r = suite.collect_once(hour_of(kDay, hour));
      collector_output += r.output;
      INFO(r.output);
      REQUIRE(r.status == 0);
    }
  };
  collect(0, 6);
  // A node dies with events in flight (the hours just published still being consumed); six hours
  // are published on the two nodes left.
  cluster.node(0).stop(/*kill=*/true);
  collect(6, 12);
  cluster.node(0).start();
  collect(12, 15);
  // Another node restarted (a rolling restart) while events flow.
  cluster.node(1).stop();
  collect(15, 18);
  cluster.node(1).start();
  collect(18, 24);

  const auto dump = vcsim.dump();
  const auto vm_count = static_cast<int>(dump.at("vms").size());
  REQUIRE(vm_count >= 6);
  auto db = suite.open_database();
  const std::string daily = "summary_daily_20261124";
  REQUIRE(eventually([&] { return registry_entries(*db, "daily").count({daily, ""}) == 1; }, 90s));
  REQUIRE(eventually([&] { return fs::exists(suite.reports_dir() / "vctp_daily_20261124.xlsx"); }, 60s));
  // Every hour's report, those of the hours published while a node was down included (a
  // message caught in a dead node's delivery comes again after the consumer's ack wait).
  for (int hour = 0; hour < 24; ++hour) {
    INFO(hourly_report(hour));
    CHECK(eventually([&] { return fs::exists(suite.reports_dir() / hourly_report(hour)); }, 90s));
  }

  INFO(collector_output);
  INFO(suite.logs());
  // Every hour once, whole; the hours taken while a node was down as well.
  const auto hourly = registry_entries(*db, "hourly");
  CHECK(hourly.size() == 24);
  for (int hour = 0; hour < 24; ++hour) {
    INFO(hourly_table(hour));
    CHECK(hourly.count({hourly_table(hour), vcenter_label(vcsim.sdk_url())}) == 1);
    for (const auto& [entry, n] : hourly) {
      if (entry.first == hourly_table(hour)) CHECK(n == 1);
    }
    CHECK(rows_of(*db, hourly_table(hour)) == vm_count);
    CHECK(doubled_vms(*db, hourly_table(hour)) == 0);
    CHECK(fs::exists(suite.reports_dir() / hourly_report(hour)));
    CHECK(report_rows(*db, hourly_report(hour)) == 1);
    CHECK(lines_with(suite, "reporter", {"report generated", hourly_report(hour)}) == 1);
  }
  // The day once, every VM once with all 24 samples (none lost while a node was down).
  CHECK(registry_entries(*db, "daily").at({daily, ""}) == 1);
  CHECK(rows_of(*db, daily) == vm_count);
  for (const auto& row : db->query("SELECT samples_seen FROM " + daily)) CHECK(row.get_int("samples_seen") == 24);
  CHECK(lines_with(suite, "aggregator", {"aggregation done", "2026-11-24"}) == 1);
  CHECK(report_rows(*db, "vctp_daily_20261124.xlsx") == 1);
  CHECK(lines_with(suite, "reporter", {"report generated", "vctp_daily_20261124.xlsx"}) == 1);

  for (const auto& key : suite.keys()) {
    INFO(key);
    CHECK(suite.stop(key) == 0);
  }
}

namespace {

/// Two simulated vCenters, one nats-server, a PostgreSQL database of the test's own (the shared
/// `postgres` fixture), and two replicas of each service in `services`.
struct Replicas {
  explicit Replicas(std::vector<std::string> services, std::string extra_settings = {})
      : suite([&] {
          E2eOptions o;
          o.nats_url = nats.url();
          o.database_driver = "postgres";
          o.database_url = database.url();
          o.vcenters = {vc1.sdk_url(), vc2.sdk_url()};
          o.services.clear();
          for (const auto& s : services) o.services.insert(o.services.end(), {s, s});
          o.extra_settings = std::move(extra_settings);
          return o;
        }()) {}

  int vms_of_both() const { return static_cast<int>(vc1.dump().at("vms").size() + vc2.dump().at("vms").size()); }

  NatsServer nats;
  GatewayTestDatabase database{"postgres"};
  VcsimProcess vc1{small_vcenter(3)};
  VcsimProcess vc2{small_vcenter(5)};
  E2eSuite suite;
};

/// The replicas of `service` whose logs hold `text` at least once.
std::set<std::string> replicas_with(const E2eSuite& suite, const std::string& service, const std::string& text) {
  std::set<std::string> out;
  for (const auto& key : suite.keys()) {
    if (key.rfind(service + "#", 0) == 0 && log_of(suite, key).find(text) != std::string::npos) out.insert(key);
  }
  return out;
}

}  // namespace

TEST_CASE("e2e: two collectors on their schedule take each vCenter's hour once", "[e2e][replicas]") {
  // A cadence of a minute (the shortest allowed): both schedulers fire at the next minute and
  // publish the same job ids, snapshot:<vcenter>:<hour>.
  Replicas r({"collector", "reporter"}, "  vcenter_inventory_snapshot_seconds: 60\n");
  auto& suite = r.suite;
  require_consuming(suite, "collector");
  require_consuming(suite, "reporter");

  auto db = suite.open_database();
  std::map<std::pair<std::string, std::string>, int> hourly;
  REQUIRE(eventually(
      [&] {
        hourly = registry_entries(*db, "hourly");
        return hourly.size() >= 2;
      },
      150s));
  const std::string table = hourly.begin()->first.first;
  REQUIRE(eventually([&] { return registry_entries(*db, "hourly").size() >= 2; }, 30s));
  const std::string report = "vctp_hourly_" + table.substr(std::string("snap_hourly_").size()) + ".xlsx";
  REQUIRE(eventually([&] { return fs::exists(suite.reports_dir() / report); }, 60s));
  // Let any second take of the same jobs show.
  std::this_thread::sleep_for(5s);

  INFO(suite.logs());
  hourly = registry_entries(*db, "hourly");
  for (const auto& [entry, n] : hourly) {
    INFO(entry.first << " " << entry.second);
    CHECK(n == 1);
  }
  for (const auto& vc : {r.vc1.sdk_url(), r.vc2.sdk_url()}) {
    INFO(vc);
    CHECK(hourly.count({table, vcenter_label(vc)}) == 1);
    CHECK(lines_with(suite, "collector", {"snapshot written", table, vcenter_label(vc), "seconds="}) == 1);
  }
  CHECK(rows_of(*db, table) == r.vms_of_both());
  CHECK(doubled_vms(*db, table) == 0);
  CHECK(report_rows(*db, report) == 1);
  // Each vCenter's completion asks for the hour's report once: at most one write per vCenter.
  CHECK(lines_with(suite, "reporter", {"report generated", report}) <= 2);
  // Who took the work (the shared consumer hands it to either replica).
  WARN("collectors that took a snapshot: " << replicas_with(suite, "collector", "snapshot written").size());
  WARN("reporters that wrote a report: " << replicas_with(suite, "reporter", "report generated").size());

  for (const auto& key : suite.keys()) {
    INFO(key);
    CHECK(suite.stop(key) == 0);
  }
}

TEST_CASE("e2e: two aggregators and two reporters summarise each period once and write each report once",
          "[e2e][replicas]") {
  Replicas r({"aggregator", "reporter", "gateway"});
  auto& suite = r.suite;
  REQUIRE(eventually([&] { return http_call("GET", suite.url("/api/ready")).status == 200; }, 60s));
  require_consuming(suite, "aggregator");
  require_consuming(suite, "reporter");

  for (int hour = 0; hour < 24; ++hour) {
    const auto c = suite.collect_once(hour_of(kDay, hour));
    INFO(c.output);
    REQUIRE(c.status == 0);
  }
  auto db = suite.open_database();
  const std::string daily = "summary_daily_20261124";
  REQUIRE(eventually([&] { return registry_entries(*db, "daily").count({daily, ""}) == 1; }, 90s));
  REQUIRE(eventually([&] { return fs::exists(suite.reports_dir() / "vctp_daily_20261124.xlsx"); }, 60s));

  // Two more days taken while the aggregators are down (a few hours each, neither closed by an
  // event), then both replicas started again together: each one's catch-up at start finds the two
  // days and November without their summaries. Each is summarised once, its report written once.
  for (const auto& key : {"aggregator#0", "aggregator#1"}) REQUIRE(suite.stop(key) == 0);
  for (const auto* day : {"2026-11-25", "2026-11-26"}) {
    for (int hour = 5; hour < 8; ++hour) {
      const auto c = suite.collect_once(hour_of(day, hour));
      INFO(c.output);
      REQUIRE(c.status == 0);
    }
  }
  for (const auto& key : {"aggregator#0", "aggregator#1"}) suite.restart(key);
  REQUIRE(eventually([&] { return registry_entries(*db, "monthly").count({"summary_monthly_202611", ""}) == 1; }, 90s));
  REQUIRE(eventually([&] { return fs::exists(suite.reports_dir() / "vctp_monthly_202611.xlsx"); }, 60s));
  std::this_thread::sleep_for(5s);

  INFO(suite.logs());
  const auto vms = r.vms_of_both();
  const auto hourly = registry_entries(*db, "hourly");
  CHECK(hourly.size() == 60);  // 24 + 6 hours of two vCenters
  for (int hour = 0; hour < 24; ++hour) {
    INFO(hourly_table(hour));
    for (const auto& vc : {r.vc1.sdk_url(), r.vc2.sdk_url()})
      CHECK(hourly.count({hourly_table(hour), vcenter_label(vc)}) == 1);
    CHECK(rows_of(*db, hourly_table(hour)) == vms);
    CHECK(doubled_vms(*db, hourly_table(hour)) == 0);
    CHECK(report_rows(*db, hourly_report(hour)) == 1);
    CHECK(lines_with(suite, "reporter", {"report generated", hourly_report(hour)}) <= 2);
  }
  CHECK(registry_entries(*db, "daily").at({daily, ""}) == 1);
  CHECK(rows_of(*db, daily) == vms);
  CHECK(doubled_vms(*db, daily) == 0);
  // The day closes once, on the last of the two vCenters' last hours, whichever replica has it.
  CHECK(lines_with(suite, "aggregator", {"aggregation done", "period=2026-11-24"}) == 1);
  CHECK(report_rows(*db, "vctp_daily_20261124.xlsx") == 1);
  CHECK(registry_entries(*db, "monthly").at({"summary_monthly_202611", ""}) == 1);
  CHECK(lines_with(suite, "aggregator", {"aggregation done", "kind=monthly", "period=2026-11"}) == 1);
  CHECK(lines_with(suite, "reporter", {"report generated", "vctp_monthly_202611.xlsx"}) == 1);
  for (const std::string day : {"2026-11-25", "2026-11-26"}) {
    INFO(day);
    const std::string compact = day.substr(0, 4) + day.substr(5, 2) + day.substr(8, 2);
    CHECK(registry_entries(*db, "daily").count({"summary_daily_" + compact, ""}) == 1);
    CHECK(doubled_vms(*db, "summary_daily_" + compact) == 0);
    CHECK(lines_with(suite, "aggregator", {"aggregation done", "period=" + day}) == 1);
    CHECK(eventually([&] { return report_rows(*db, "vctp_daily_" + compact + ".xlsx") == 1; }, 30s));
    CHECK(lines_with(suite, "reporter", {"report generated", "vctp_daily_" + compact + ".xlsx"}) == 1);
  }
  CHECK(report_rows(*db, "vctp_monthly_202611.xlsx") == 1);
  WARN("aggregators that summarised: " << replicas_with(suite, "aggregator", "aggregation done").size());
  WARN("reporters that wrote a report: " << replicas_with(suite, "reporter", "report generated").size());

  for (const auto& key : suite.keys()) {
    INFO(key);
    CHECK(suite.stop(key) == 0);
  }
}

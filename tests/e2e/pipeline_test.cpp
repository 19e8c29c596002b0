// The pipeline as it runs in production, every part real: the collector snapshots a simulated
// vCenter hour by hour (--once --at, as a backfill would) and announces each snapshot; the
// aggregator closes the day on its last hour; the reporter writes the hourly and daily reports;
// the gateway serves the summary and the reports, and a monthly regeneration asked over REST
// comes back through the aggregator with its report listed.
#include <catch2/catch.hpp>

#include <csignal>
#include <map>
#include <nlohmann/json.hpp>

#include "gateway_harness.hpp"
#include "nats_server.hpp"
#include "test_support.hpp"
#include "vcsim_process.hpp"
#include "vctp/store/database.hpp"

using namespace vctp::test;
using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Suite {
  TempDir dir;
  vctp::bus::test::NatsServer nats;
  VcsimOptions vcsim_options = [] {
    VcsimOptions o;
    o.clusters = 2;
    o.vms = 6;
    o.random_sizes_seed = 7;
    return o;
  }();
  VcsimProcess vcsim{vcsim_options};
  int gateway_port = 0;  ///< read from the gateway's log: every service of ours binds port 0
  std::map<std::string, std::unique_ptr<ChildProcess>> services;

  Suite() {
    write_file(dir / "vctp.yml",
               "settings:\n"
               "  database_url: " +
                   (dir / "db.sqlite3").string() +
                   "\n"
                   "  nats_url: " +
                   nats.url() +
                   "\n"
                   "  reports_dir: " +
                   (dir / "reports").string() +
                   "\n"
                   "  vcenter_addresses: [" +
                   vcsim.sdk_url() +
                   "]\n"
                   "  vcenter_username: user\n"
                   "  vcenter_password: pass\n"
                   "  bind_ip: 127.0.0.1\n"
                   "  bind_port: 0\n"
                   "  tls_cert_filename: " +
                   (dir / "gateway.crt").string() +
                   "\n"
                   "  tls_key_filename: " +
                   (dir / "gateway.key").string() +
                   "\n"
                   "  api_tokens: [\"" +
                   test_token_hash() +
                   "\"]\n"
                   "  collector_metrics_port: 0\n"
                   "  aggregator_metrics_port: 0\n"
                   "  reporter_metrics_port: 0\n");
    fs::create_directories(dir / "reports");
    for (const std::string name : {"aggregator", "reporter", "gateway"}) {
      services[name] = std::make_unique<ChildProcess>(
          std::vector<std::string>{binary_dir().string() + "/bin/vctp-" + name, "-settings", settings()},
          dir / (name + ".log"));
    }
    gateway_port = logged_port(dir / "gateway.log", kGatewayListening, *services.at("gateway"));
  }

  ~Suite() {
    for (auto& [name, child] : services) child->signal(SIGTERM);
    for (auto& [name, child] : services) child->wait_for_exit(15s);
  }

  std::string settings() const { return (dir / "vctp.yml").string(); }
  std::string url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(gateway_port) + path; }
  std::string logs() const {
    std::string text;
    for (const auto& [name, child] : services) {
      const auto log = dir / (name + ".log");
      if (fs::exists(log)) text += "--- " + name + "\n" + read_file(log);
    }
    return text;
  }
};

json get_json(const std::string& url) {
  const auto r = http_call("GET", url);
  if (r.status != 200) return json();
  return json::parse(r.body, nullptr, false);
}

bool lists_report(const json& reports, const std::string& file) {
  if (!reports.is_object() || !reports.contains("reports")) return false;
  for (const auto& r : reports.at("reports")) {
    if (r.value("file", "") == file) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("e2e: a simulated vCenter's day becomes a daily summary, reports and a monthly regeneration", "[e2e]") {
  Suite suite;
  REQUIRE(eventually([&] { return http_call("GET", suite.url("/api/ready")).status == 200; }, 30s));

  // A day of hourly snapshots; the last hour closes the day.
  for (int hour = 0; hour < 24; ++hour) {
    char at[32];
    std::snprintf(at, sizeof at, "2026-11-24T%02d:00:00Z", hour);
    const auto r =
        run_command(binary_dir().string() + "/bin/vctp-collector --once --at " + at + " -settings " + suite.settings());
    INFO(r.output);
    REQUIRE(r.status == 0);
  }
  INFO(suite.logs());

  const auto dump = suite.vcsim.dump();
  const auto vm_count = dump.at("vms").size();
  REQUIRE(vm_count >= 12);
  // The summary, as the gateway serves it: every VM, and its vCPUs (constant all day) add up to
  // the simulator's own total.
  json summary;
  REQUIRE(eventually(
      [&] {
        summary = get_json(suite.url("/api/summaries/daily/2026-11-24"));
        return summary.is_object() && summary.contains("rows") && summary.at("rows").size() == vm_count;
      },
      60s));
  double vcpus = 0;
  for (const auto& row : summary.at("rows")) {
    CHECK(row.at("samples_seen").get<int>() == 24);
    CHECK(row.at("presence").get<double>() == Approx(1.0));
    vcpus += row.at("avg_vcpu").get<double>();
  }
  CHECK(vcpus == Approx(dump.at("total_cpus").get<double>()));

  // The reporter wrote the day's report and every hour's, and the gateway lists and serves them.
  REQUIRE(
      eventually([&] { return lists_report(get_json(suite.url("/api/reports")), "vctp_daily_20261124.xlsx"); }, 60s));
  REQUIRE(eventually([&] { return lists_report(get_json(suite.url("/api/reports")), "vctp_hourly_2026112423.xlsx"); },
                     60s));
  const auto download = http_call("GET", suite.url("/api/reports/vctp_daily_20261124.xlsx"));
  CHECK(download.status == 200);
  CHECK(download.body.rfind("PK", 0) == 0);  // an XLSX is a zip

  // A monthly regeneration over REST: the aggregator answers, the reporter follows, and the
  // request lists the report once it is generated.
  const auto posted =
      http_call("POST", suite.url("/api/snapshots/aggregate"), R"({"kind":"monthly","period":"2026-11","wait":30})",
                {"Authorization: Bearer " + kTestToken, "Content-Type: application/json"});
  INFO(posted.body);
  REQUIRE(posted.status == 200);
  const auto outcome = json::parse(posted.body);
  CHECK(outcome.at("status") == "ok");
  CHECK(outcome.at("table") == "summary_monthly_202611");
  CHECK(outcome.at("rows").get<std::size_t>() == vm_count);
  const std::string follow = "/api/requests/" + outcome.at("request_id").get<std::string>();
  REQUIRE(eventually(
      [&] {
        const auto followed = get_json(suite.url(follow));
        if (!followed.is_object() || !followed.contains("reports")) return false;
        for (const auto& f : followed.at("reports")) {
          if (f == "vctp_monthly_202611.xlsx") return true;
        }
        return false;
      },
      60s));
  CHECK(eventually([&] { return lists_report(get_json(suite.url("/api/reports")), "vctp_monthly_202611_focus.csv"); },
                   30s));
  const auto focus = http_call("GET", suite.url("/api/reports/vctp_monthly_202611_focus.csv"));
  CHECK(focus.status == 200);
  CHECK(focus.body.find("BilledCost") != std::string::npos);

  for (auto& [name, child] : suite.services) {
    INFO(name);
    child->signal(SIGTERM);
    CHECK(child->wait_for_exit(10s) == 0);
  }
}

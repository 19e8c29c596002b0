// The pipeline as it runs in production, every part real: the collector snapshots a simulated
// vCenter hour by hour (--once --at, as a backfill would) and announces each snapshot; the
// aggregator closes the day on its last hour; the reporter writes the hourly and daily reports;
// the gateway serves the summary and the reports, and a monthly regeneration asked over REST
// comes back through the aggregator with its report listed.
#include <catch2/catch.hpp>

#include <csignal>
#include <nlohmann/json.hpp>

#include "e2e_suite.hpp"
#include "nats_server.hpp"
#include "test_support.hpp"
#include "vcsim_process.hpp"

using namespace vctp::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

VcsimOptions two_clusters() {
  VcsimOptions o;
  o.clusters = 2;
  o.vms = 6;
  o.random_sizes_seed = 7;
  return o;
}

struct Pipeline {
  vctp::bus::test::NatsServer nats;
  VcsimProcess vcsim{two_clusters()};
  E2eSuite suite{[this] {
    E2eOptions o;
    o.nats_url = nats.url();
    o.vcenters = {vcsim.sdk_url()};
    return o;
  }()};
};

}  // namespace

TEST_CASE("e2e: a simulated vCenter's day becomes a daily summary, reports and a monthly regeneration", "[e2e]") {
  Pipeline pipeline;
  auto& suite = pipeline.suite;
  REQUIRE(eventually([&] { return http_call("GET", suite.url("/api/ready")).status == 200; }, 30s));

  // A day of hourly snapshots; the last hour closes the day.
  for (int hour = 0; hour < 24; ++hour) {
    const auto r = suite.collect_once(hour_of("2026-11-24", hour));
    INFO(r.output);
    REQUIRE(r.status == 0);
  }
  INFO(suite.logs());

  const auto dump = pipeline.vcsim.dump();
  const auto vm_count = dump.at("vms").size();
  REQUIRE(vm_count >= 12);
  // The summary, as the gateway serves it: every VM, and its vCPUs (constant all day) add up to
  // the simulator's own total.
  json summary;
  REQUIRE(eventually(
      [&] {
        summary = suite.get_json("/api/summaries/daily/2026-11-24");
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
      eventually([&] { return lists_report(suite.get_json("/api/reports"), "vctp_daily_20261124.xlsx"); }, 60s));
  REQUIRE(eventually([&] { return lists_report(suite.get_json("/api/reports"), "vctp_hourly_2026112423.xlsx"); },
                     60s));
  const auto download = http_call("GET", suite.url("/api/reports/vctp_daily_20261124.xlsx"));
  CHECK(download.status == 200);
  CHECK(download.body.rfind("PK", 0) == 0);  // an XLSX is a zip

  // A monthly regeneration over REST: the aggregator answers, the reporter follows, and the
  // request lists the report once it is generated.
  const auto posted =
      suite.post_json("/api/snapshots/aggregate", R"({"kind":"monthly","period":"2026-11","wait":30})");
  INFO(posted.body);
  REQUIRE(posted.status == 200);
  const auto outcome = json::parse(posted.body);
  CHECK(outcome.at("status") == "ok");
  CHECK(outcome.at("table") == "summary_monthly_202611");
  CHECK(outcome.at("rows").get<std::size_t>() == vm_count);
  const std::string follow = "/api/requests/" + outcome.at("request_id").get<std::string>();
  REQUIRE(eventually(
      [&] {
        const auto followed = suite.get_json(follow);
        if (!followed.is_object() || !followed.contains("reports")) return false;
        for (const auto& f : followed.at("reports")) {
          if (f == "vctp_monthly_202611.xlsx") return true;
        }
        return false;
      },
      60s));
  CHECK(eventually([&] { return lists_report(suite.get_json("/api/reports"), "vctp_monthly_202611_focus.csv"); },
                   30s));
  const auto focus = http_call("GET", suite.url("/api/reports/vctp_monthly_202611_focus.csv"));
  CHECK(focus.status == 200);
  CHECK(focus.body.find("BilledCost") != std::string::npos);

  for (const auto& key : suite.keys()) {
    INFO(key);
    CHECK(suite.stop(key) == 0);
  }
}

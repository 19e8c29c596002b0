#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>

#include "test_support.hpp"

using namespace vctp::test;

namespace {

const std::vector<std::string> kServices = {"collector", "aggregator", "reporter", "gateway"};

std::string binary(const std::string& service) { return binary_dir().string() + "/bin/vctp-" + service; }

CommandResult run(const std::string& service, const std::string& args) {
  return run_command(binary(service) + " " + args);
}

}  // namespace

TEST_CASE("services: --version and --help exit 0", "[cli]") {
  for (const auto& service : kServices) {
    INFO(service);
    const auto version = run(service, "--version");
    CHECK(version.status == 0);
    CHECK_THAT(version.output, Catch::Contains("vctp-" + service));
    const auto help = run(service, "--help");
    CHECK(help.status == 0);
    CHECK_THAT(help.output, Catch::Contains("-settings PATH") && Catch::Contains("--check-settings"));
  }
}

TEST_CASE("services: --check-settings accepts the reference settings and masks secrets", "[cli]") {
  TempDir dir;
  const std::string reference = (source_dir() / "config" / "vctp.yml").string();
  std::string text = read_file(reference);
  text += "  # appended by the test\n";
  write_file(dir / "secret.yml",
             "settings:\n  vcenter_password: hunter2\n  database_url: postgres://u:dbpass@db/vctp\n"
             "  database_driver: postgres\n");
  for (const auto& service : kServices) {
    INFO(service);
    const auto ok = run(service, "--check-settings -settings " + reference);
    CHECK(ok.status == 0);
    CHECK_THAT(ok.output, Catch::Contains("snapshot_cleanup_cron") && Catch::Contains("bind_port: 9443"));
    const auto masked = run(service, "--check-settings --settings " + (dir / "secret.yml").string());
    CHECK(masked.status == 0);
    CHECK_THAT(masked.output, !Catch::Contains("hunter2") && !Catch::Contains("dbpass"));
  }
}

TEST_CASE("services: bad settings exit 2 naming the key", "[cli]") {
  TempDir dir;
  write_file(dir / "port.yml", "settings:\n  bind_port: 70000\n");
  write_file(dir / "driver.yml", "settings:\n  database_driver: oracle\n");
  write_file(dir / "yaml.yml", "settings:\n  bind_port: [1,\n");
  write_file(dir / "cron.yml", "settings:\n  snapshot_cleanup_cron: \"0 3 * *\"\n");
  for (const auto& service : kServices) {
    INFO(service);
    const auto port = run(service, "--check-settings -settings " + (dir / "port.yml").string());
    CHECK(port.status == 2);
    CHECK_THAT(port.output, Catch::Contains("bind_port") && Catch::Contains("port.yml") && Catch::Contains("line 2"));
    const auto driver = run(service, "-settings " + (dir / "driver.yml").string());
    CHECK(driver.status == 2);
    CHECK_THAT(driver.output, Catch::Contains("database_driver"));
    CHECK(run(service, "-settings " + (dir / "yaml.yml").string()).status == 2);
    const auto cron = run(service, "-settings " + (dir / "cron.yml").string());
    CHECK(cron.status == 2);
    CHECK_THAT(cron.output, Catch::Contains("snapshot_cleanup_cron"));
    const auto missing = run(service, "-settings " + (dir / "absent.yml").string());
    CHECK(missing.status == 2);
    CHECK_THAT(missing.output, Catch::Contains("absent.yml"));
    CHECK(run(service, "--no-such-option").status == 2);
  }
}

TEST_CASE("services: VCTP_<KEY> overrides reach --check-settings", "[cli]") {
  const auto result = run_command("VCTP_BIND_PORT=7443 " + binary("gateway") + " --check-settings -settings " +
                                  (source_dir() / "config" / "vctp.yml").string());
  CHECK(result.status == 0);
  CHECK_THAT(result.output, Catch::Contains("bind_port: 7443"));
  CHECK(run_command("VCTP_BIND_PORT=70000 " + binary("gateway") + " --check-settings -settings " +
                    (source_dir() / "config" / "vctp.yml").string())
            .status == 2);
}

TEST_CASE("services: each serves its seed metrics and stops cleanly on SIGTERM", "[metrics]") {
  struct Expectation {
    std::string service;
    std::string port_key;
    std::vector<std::string> metrics;
  };
  const std::vector<Expectation> expectations = {
      {"collector",
       "collector_metrics_port",
       {"vctp_hourly_snapshots_total", "vctp_hourly_snapshots_failed_total", "vctp_hourly_snapshot_last_unix",
        "vctp_hourly_snapshot_last_rows", "vctp_vcenter_connect_failures_total{vcenter=\"vc1.example.com\"}",
        "vctp_vcenter_snapshot_duration_seconds{vcenter=\"vc1.example.com\"}",
        "vctp_vcenter_inventory_size{vcenter=\"vc1.example.com\"}"}},
      {"aggregator",
       "aggregator_metrics_port",
       {"vctp_daily_aggregations_total", "vctp_daily_aggregations_failed_total",
        "vctp_daily_aggregation_duration_seconds_count", "vctp_monthly_aggregations_total",
        "vctp_monthly_aggregations_failed_total", "vctp_monthly_aggregation_duration_seconds_count"}},
      {"reporter", "reporter_metrics_port", {"vctp_reports_available"}},
  };
  for (const auto& e : expectations) {
    INFO(e.service);
    TempDir dir;
    write_file(dir / "vctp.yml", "settings:\n  " + e.port_key + ": 0\n  database_url: " +
                                     (dir / "db.sqlite3").string() + "\n  reports_dir: " + (dir / "reports").string() +
                                     "\n  vcenter_addresses: [https://vc1.example.com/sdk]\n");
    ChildProcess child({binary(e.service), "-settings", (dir / "vctp.yml").string()}, dir / "log.txt");
    const int port = logged_port(dir / "log.txt", kMetricsListening, child);
    std::string body;
    const bool up = eventually(
        [&] {
          body = http_get("http://127.0.0.1:" + std::to_string(port) + "/metrics");
          return !body.empty();
        },
        std::chrono::seconds(20));
    INFO(read_file(dir / "log.txt"));
    REQUIRE(up);
    for (const auto& metric : e.metrics) {
      INFO(metric);
      CHECK_THAT(body, Catch::Contains(metric + " 0"));
      const std::string family = metric.substr(0, metric.find_first_of("{"));
      const std::string base =
          family.size() > 6 && family.ends_with("_count") ? family.substr(0, family.size() - 6) : family;
      CHECK_THAT(body, Catch::Contains("# HELP " + base + " "));
    }
    child.signal(SIGTERM);
    const auto status = child.wait_for_exit(std::chrono::seconds(10));
    REQUIRE(status.has_value());
    CHECK(*status == 0);
  }
}

TEST_CASE("services: the folders they write are created when missing, exit 2 when they cannot be", "[dirs]") {
  TempDir dir;
  const auto db_dir = dir / "data" / "nested";
  const auto reports = dir / "reports" / "daily";
  write_file(dir / "vctp.yml", "settings:\n  database_url: " + (db_dir / "db.sqlite3").string() +
                                   "\n  reports_dir: " + reports.string() + "\n  nats_url: nats://127.0.0.1:1\n");
  // A report of a day without data fails (1), but only after the folders were made.
  const auto once = run("reporter", "-settings " + (dir / "vctp.yml").string() + " --once daily 2026-11-24");
  INFO(once.output);
  CHECK(once.status == 1);
  CHECK(std::filesystem::is_directory(reports));
  CHECK(std::filesystem::exists(db_dir / "db.sqlite3"));

  // A file where a folder should be: nothing can create it.
  write_file(dir / "blocker", "not a directory\n");
  write_file(dir / "bad_db.yml", "settings:\n  database_url: " + (dir / "blocker" / "db.sqlite3").string() + "\n");
  write_file(dir / "bad_reports.yml", "settings:\n  database_url: " + (dir / "db.sqlite3").string() +
                                          "\n  reports_dir: " + (dir / "blocker" / "reports").string() + "\n");
  for (const auto& service : kServices) {
    INFO(service);
    const auto bad_db = run(service, "-settings " + (dir / "bad_db.yml").string());
    CHECK(bad_db.status == 2);
    CHECK_THAT(bad_db.output, Catch::Contains("database_url") && Catch::Contains("blocker"));
  }
  const auto bad_reports =
      run("reporter", "-settings " + (dir / "bad_reports.yml").string() + " --once daily 2026-11-24");
  CHECK(bad_reports.status == 2);
  CHECK_THAT(bad_reports.output, Catch::Contains("reports_dir"));
}

TEST_CASE("services: /healthz and /readyz on the metrics port", "[health]") {
  TempDir dir;
  // No NATS answers on port 1: alive, but not ready, saying why.
  write_file(dir / "vctp.yml", "settings:\n  aggregator_metrics_port: 0\n  database_url: " +
                                   (dir / "db.sqlite3").string() + "\n  nats_url: nats://127.0.0.1:1\n");
  ChildProcess child({binary("aggregator"), "-settings", (dir / "vctp.yml").string()}, dir / "log.txt");
  const int port = logged_port(dir / "log.txt", kMetricsListening, child);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const bool alive = eventually([&] { return http_get(base + "/healthz").find("\"ok\"") != std::string::npos; },
                                std::chrono::seconds(20));
  INFO(read_file(dir / "log.txt"));
  REQUIRE(alive);
  const auto ready = run_command("curl -s -w ' %{http_code}' " + base + "/readyz");
  CHECK_THAT(ready.output, Catch::EndsWith(" 503") && Catch::Contains("\"nats\":\"unavailable") &&
                               Catch::Contains("\"database\":\"ok\""));
  child.signal(SIGTERM);
  CHECK(child.wait_for_exit(std::chrono::seconds(10)) == std::optional<int>(0));
}

TEST_CASE("services: metrics_bind_ip chooses the address of /metrics, /healthz and /readyz", "[health]") {
  TempDir dir;
  // 127.0.0.2 is loopback too on Linux, but not 127.0.0.1: bound there, the other refuses.
  write_file(dir / "vctp.yml", "settings:\n  aggregator_metrics_port: 0\n  metrics_bind_ip: 127.0.0.2\n  database_url: " +
                                   (dir / "db.sqlite3").string() + "\n  nats_url: nats://127.0.0.1:1\n");
  ChildProcess child({binary("aggregator"), "-settings", (dir / "vctp.yml").string()}, dir / "log.txt");
  const int port = logged_port(dir / "log.txt", kMetricsListening, child);
  const bool alive = eventually(
      [&] { return http_get("http://127.0.0.2:" + std::to_string(port) + "/healthz").find("\"ok\"") != std::string::npos; },
      std::chrono::seconds(20));
  INFO(read_file(dir / "log.txt"));
  REQUIRE(alive);
  CHECK(run_command("curl -s -o /dev/null http://127.0.0.1:" + std::to_string(port) + "/healthz").status != 0);
  child.signal(SIGTERM);
  CHECK(child.wait_for_exit(std::chrono::seconds(10)) == std::optional<int>(0));
}

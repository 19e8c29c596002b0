#include <catch2/catch.hpp>

#include <map>

#include "test_support.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/core/settings_schema.hpp"

using namespace vctp::core;

namespace {

std::map<std::string, std::string>& fake_env() {
  static std::map<std::string, std::string> env;
  return env;
}

std::optional<std::string> lookup(const std::string& name) {
  const auto it = fake_env().find(name);
  if (it == fake_env().end()) return std::nullopt;
  return it->second;
}

LoadedSettings parse(const std::string& yaml) {
  return parse_settings(yaml, "test.yml", &lookup);
}

std::string error_of(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("settings: defaults are the declared ones", "[settings]") {
  fake_env().clear();
  const auto s = parse("settings: {}\n").settings;
  CHECK(s.log_level == "info");
  CHECK(s.log_output == "text");
  CHECK(s.database_driver == "sqlite");
  CHECK(s.database_url == "./db.sqlite3");
  CHECK(s.bind_ip == "0.0.0.0");
  CHECK(s.metrics_bind_ip == "0.0.0.0");  // as before the setting existed
  CHECK(s.bind_port == 9443);
  CHECK_FALSE(s.bind_disable_tls);
  CHECK(s.tls_cert_filename == "/etc/dtms/vctp.crt");
  CHECK(s.tls_key_filename == "/etc/dtms/vctp.key");
  CHECK(s.vcenter_event_polling_seconds == 60);
  CHECK(s.vcenter_inventory_polling_seconds == 900);
  CHECK(s.vcenter_inventory_snapshot_seconds == 3600);
  CHECK(s.vcenter_inventory_aggregate_seconds == 86400);
  CHECK(s.vcenter_addresses.empty());
  CHECK(s.hourly_snapshot_concurrency == 0);
  CHECK(s.hourly_snapshot_max_age_days == 60);
  CHECK(s.daily_snapshot_max_age_months == 12);
  CHECK(s.snapshot_cleanup_cron == "0 3 * * *");
  CHECK(s.reports_dir == "/var/lib/vctp/reports");
  CHECK(s.nats_url == "nats://127.0.0.1:4222");
  CHECK(s.collector_metrics_port == 9101);
  CHECK(s.aggregator_metrics_port == 9102);
  CHECK(s.reporter_metrics_port == 9103);
}

TEST_CASE("settings: values of every type are read", "[settings]") {
  fake_env().clear();
  const auto s = parse(R"(settings:
  log_level: debug
  log_output: json
  database_driver: postgres
  database_url: postgres://vctp:secret@db:5432/vctp
  bind_port: 8443
  bind_disable_tls: true
  vcenter_addresses:
    - https://vc1.example.com/sdk
    - https://vc2.example.com/sdk
  tenants_to_filter: ["lab-*", "test"]
  hourly_snapshot_concurrency: 4
)").settings;
  CHECK(s.log_level == "debug");
  CHECK(s.log_output == "json");
  CHECK(s.database_driver == "postgres");
  CHECK(s.bind_port == 8443);
  CHECK(s.bind_disable_tls);
  CHECK(s.vcenter_addresses == std::vector<std::string>{"https://vc1.example.com/sdk", "https://vc2.example.com/sdk"});
  CHECK(s.tenants_to_filter == std::vector<std::string>{"lab-*", "test"});
  CHECK(s.hourly_snapshot_concurrency == 4);
}

TEST_CASE("settings: invalid values name the key, the line and what was expected", "[settings]") {
  fake_env().clear();
  const std::string port = error_of("settings:\n  log_level: info\n  bind_port: 70000\n");
  CHECK_THAT(port, Catch::Contains("bind_port") && Catch::Contains("line 3") && Catch::Contains("test.yml") &&
                       Catch::Contains("65535"));
  const std::string driver = error_of("settings:\n  database_driver: oracle\n");
  CHECK_THAT(driver, Catch::Contains("database_driver") && Catch::Contains("sqlite, postgres"));
  CHECK_THAT(error_of("settings:\n  snapshot_cleanup_cron: \"61 * * * *\"\n"),
             Catch::Contains("snapshot_cleanup_cron") && Catch::Contains("minute"));
  CHECK_THAT(error_of("settings:\n  bind_port: nine\n"), Catch::Contains("an integer"));
  CHECK_THAT(error_of("settings:\n  bind_disable_tls: maybe\n"), Catch::Contains("true or false"));
  CHECK_THAT(error_of("settings:\n  vcenter_addresses: https://x/sdk\n"), Catch::Contains("a list"));
  CHECK_THAT(error_of("settings:\n  log_output: xml\n"), Catch::Contains("log_output"));
  CHECK_THAT(error_of("settings:\n  nats_url: http://x\n"), Catch::Contains("nats_url"));
  CHECK_THAT(error_of("settings:\n  hourly_snapshot_concurrency: -1\n"), Catch::Contains(">= 0"));
  CHECK_THAT(error_of("settings:\n  bind_ip: localhost:80\n"), Catch::Contains("bind_ip") && Catch::Contains("IPv4"));
  CHECK_THAT(error_of("settings:\n  metrics_bind_ip: all\n"), Catch::Contains("metrics_bind_ip") && Catch::Contains("IPv4"));
  CHECK_THAT(error_of("settings:\n  vcenter_addresses: [https://vc1/sdk, vc2.example.com]\n"),
             Catch::Contains("vcenter_addresses") && Catch::Contains("'vc2.example.com'") && Catch::Contains("SDK URL"));
  CHECK_THAT(error_of("settings:\n  vcenter_addresses: [ftp://vc1/sdk]\n"), Catch::Contains("SDK URL"));
  CHECK_THAT(error_of("settings:\n  vcenter_addresses: [\"https:///sdk\"]\n"), Catch::Contains("SDK URL"));
}

TEST_CASE("settings: IPv6 bind addresses and SDK URLs with ports are valid", "[settings]") {
  fake_env().clear();
  const auto s = parse("settings:\n  bind_ip: \"::\"\n  vcenter_addresses: [\"https://vc1.example.com:8443/sdk\", "
                       "\"http://127.0.0.1:8989/sdk\", \"https://[fd00::1]/sdk\"]\n").settings;
  CHECK(s.bind_ip == "::");
  CHECK(parse("settings:\n  metrics_bind_ip: 127.0.0.1\n").settings.metrics_bind_ip == "127.0.0.1");
  CHECK(s.vcenter_addresses.size() == 3);
}

TEST_CASE("settings: malformed YAML and a missing settings key are errors with a line", "[settings]") {
  fake_env().clear();
  CHECK_THAT(error_of("settings:\n  bind_port: [1, 2\n"), Catch::Contains("malformed YAML") && Catch::Contains("line"));
  CHECK_THAT(error_of("log_level: info\n"), Catch::Contains("settings:"));
  CHECK_THAT(error_of("settings: 5\n"), Catch::Contains("mapping"));
}

TEST_CASE("settings: a missing file is an error naming it", "[settings]") {
  try {
    load_settings("/nonexistent/vctp.yml", &lookup);
    FAIL("expected an error");
  } catch (const SettingsError& e) {
    CHECK_THAT(e.what(), Catch::Contains("/nonexistent/vctp.yml"));
  }
}

TEST_CASE("settings: unknown keys warn with the nearest known key", "[settings]") {
  fake_env().clear();
  const auto loaded = parse("settings:\n  bind_prot: 9443\n");
  REQUIRE(loaded.warnings.size() == 1);
  CHECK_THAT(loaded.warnings[0], Catch::Contains("bind_prot") && Catch::Contains("did you mean 'bind_port'"));
  CHECK(nearest_setting_key("zzzzzzzzzzzzzzzzzzzz").empty());
}

TEST_CASE("settings: VCTP_<KEY> environment variables override the file", "[settings]") {
  fake_env() = {{"VCTP_BIND_PORT", "9999"},
                {"VCTP_VCENTER_ADDRESSES", "https://a/sdk, https://b/sdk"},
                {"VCTP_TENANTS_TO_FILTER", "[x, y]"},
                {"VCTP_LOG_LEVEL", "warn"}};
  const auto s = parse("settings:\n  bind_port: 1234\n").settings;
  CHECK(s.bind_port == 9999);
  CHECK(s.vcenter_addresses == std::vector<std::string>{"https://a/sdk", "https://b/sdk"});
  CHECK(s.tenants_to_filter == std::vector<std::string>{"x", "y"});
  CHECK(s.log_level == "warn");

  fake_env() = {{"VCTP_BIND_PORT", "70000"}};
  CHECK_THAT(error_of("settings: {}\n"), Catch::Contains("VCTP_BIND_PORT"));
  fake_env().clear();
}

TEST_CASE("settings: secrets are masked in the effective settings", "[settings]") {
  fake_env().clear();
  const auto s = parse(R"(settings:
  vcenter_password: hunter2
  nats_password: natsecret
  nats_token: tok123
  database_url: postgres://vctp:dbsecret@db:5432/vctp
  api_tokens: [abcdef0123]
)").settings;
  const std::string text = describe_settings(s);
  for (const char* secret : {"hunter2", "natsecret", "tok123", "dbsecret", "abcdef0123"}) {
    CHECK_THAT(text, !Catch::Contains(secret));
  }
  CHECK_THAT(text, Catch::Contains("postgres://vctp:****@db:5432/vctp"));
  const auto flat = masked_settings(s);
  CHECK(flat.at("vcenter_password") == "****");
}

TEST_CASE("settings: config/vctp.yml is the reference generated from the declarations", "[settings]") {
  const std::string file = vctp::test::read_file(vctp::test::source_dir() / "config" / "vctp.yml");
  CHECK(file == reference_settings_yaml());
  // And it parses to exactly the defaults.
  fake_env().clear();
  const auto loaded = parse(file);
  CHECK(loaded.warnings.empty());
  CHECK(describe_settings(loaded.settings) == describe_settings(Settings::defaults()));
}

TEST_CASE("settings: every declared key has a description and a valid default", "[settings]") {
  for (const auto& spec : setting_specs()) {
    INFO(spec.key);
    CHECK_FALSE(spec.description.empty());
    CHECK_FALSE(spec.default_yaml.empty());
  }
  CHECK(setting_specs().size() >= 38);
}

TEST_CASE("settings: the optional rate card", "[settings][rates]") {
  fake_env().clear();
  CHECK_FALSE(parse("settings: {}\n").settings.rates.has_value());
  const auto s = parse(R"(settings:
  rates:
    currency: EUR
    vcpu_hour: 0.01
    ram_gb_hour: 0.005
    disk_gb_month: 0.04
    node_hour: 1.25
    tenants:
      research: {vcpu_hour: 0.008}
    pools:
      gold: {vcpu_hour: 0.02, ram_gb_hour: 0.01}
)").settings;
  REQUIRE(s.rates);
  CHECK(s.rates->currency == "EUR");
  CHECK(s.rates->vcpu_hour == Approx(0.01));
  CHECK(s.rates->node_hour == Approx(1.25));
  const auto plain = s.rates->effective("other", "silver");
  CHECK(*plain.vcpu_hour == Approx(0.01));
  CHECK(*s.rates->effective("research", "silver").vcpu_hour == Approx(0.008));
  const auto gold = s.rates->effective("research", "gold");
  CHECK(*gold.vcpu_hour == Approx(0.02));
  CHECK(*gold.ram_gb_hour == Approx(0.01));
  CHECK(*gold.disk_gb_month == Approx(0.04));
  CHECK_THAT(describe_settings(s), Catch::Contains("currency: EUR"));

  CHECK_THAT(error_of("settings:\n  rates:\n    currency: euro\n"), Catch::Contains("rates.currency"));
  CHECK_THAT(error_of("settings:\n  rates:\n    currency: EUR\n    vcpu_hour: -1\n"),
             Catch::Contains("rates.vcpu_hour") && Catch::Contains("line 4"));
  CHECK_THAT(error_of("settings:\n  rates:\n    currency: EUR\n    cpu_hour: 1\n"), Catch::Contains("rates.cpu_hour"));
  CHECK_THAT(error_of("settings:\n  rates:\n    vcpu_hour: 1\n"), Catch::Contains("currency"));
}

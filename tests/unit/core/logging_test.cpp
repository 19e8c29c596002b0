#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "vctp/core/logging.hpp"

using namespace vctp::core;

TEST_CASE("logging: json lines carry time, level, service, message and fields", "[logging]") {
  const std::string line =
      format_log_line("collector", "json", LogLevel::kWarn, "snapshot failed", {{"vcenter", "vc1"}, {"rows", "0"}});
  const auto j = nlohmann::json::parse(line);
  CHECK(j.at("level") == "warn");
  CHECK(j.at("service") == "collector");
  CHECK(j.at("message") == "snapshot failed");
  CHECK(j.at("vcenter") == "vc1");
  CHECK(j.at("rows") == "0");
  CHECK(j.at("time").get<std::string>().size() == 24);
  CHECK(line.find('\n') == std::string::npos);
}

TEST_CASE("logging: text lines are key=value with quoting", "[logging]") {
  const std::string line =
      format_log_line("gateway", "text", LogLevel::kInfo, "request", {{"path", "/api/health"}, {"note", "two words"}});
  CHECK_THAT(line, Catch::Contains("info [gateway] request path=/api/health note=\"two words\""));
}

TEST_CASE("logging: levels parse", "[logging]") {
  CHECK(parse_log_level("debug") == LogLevel::kDebug);
  CHECK(parse_log_level("warning") == LogLevel::kWarn);
  CHECK(parse_log_level("error") == LogLevel::kError);
  CHECK(parse_log_level("nonsense") == LogLevel::kInfo);
}

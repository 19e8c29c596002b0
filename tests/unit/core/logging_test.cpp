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

namespace {
bool has_raw_control(const std::string& line) {
  for (char c : line) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("logging: text lines escape control characters in the message, keys and values", "[logging]") {
  const std::string forged = "ok\r\x1b[2K2026-01-01T00:00:00.000Z info [gateway] forged\n";
  const std::string line = format_log_line("gateway", "text", LogLevel::kInfo, "bad \x1b[31mrequest\x7f",
                                           {{"vcenter", forged}, {"k\ney", "plain"}, {"tab", "a\tb"}, {"nul", std::string("a\0b", 3)}});
  CHECK_FALSE(has_raw_control(line));
  CHECK_THAT(line, Catch::Contains("bad \\x1b[31mrequest\\x7f"));
  CHECK_THAT(line, Catch::Contains("vcenter=\"ok\\r\\x1b[2K2026-01-01T00:00:00.000Z info [gateway] forged\\n\""));
  CHECK_THAT(line, Catch::Contains(" k\\ney=plain"));
  CHECK_THAT(line, Catch::Contains("tab=\"a\\tb\""));
  CHECK_THAT(line, Catch::Contains("nul=\"a\\x00b\""));
}

TEST_CASE("logging: a value with a control character but no space is quoted and escaped", "[logging]") {
  const std::string line = format_log_line("gateway", "text", LogLevel::kInfo, "m", {{"v", "a\x1b" "b"}, {"q", "say \"hi\\\""}});
  CHECK_THAT(line, Catch::Contains("v=\"a\\x1bb\""));
  CHECK_THAT(line, Catch::Contains("q=\"say \\\"hi\\\\\\\"\""));
  CHECK_FALSE(has_raw_control(line));
}

TEST_CASE("logging: json lines carry no raw control characters", "[logging]") {
  const std::string line = format_log_line("gateway", "json", LogLevel::kInfo, "m\r\n\x1b",
                                           {{"vcenter", "ok\r\x1b[2K\n"}, {"k\x1b", "v"}});
  for (char c : line) CHECK(static_cast<unsigned char>(c) >= 0x20);
  const auto j = nlohmann::json::parse(line);
  CHECK(j.at("vcenter") == "ok\r\x1b[2K\n");
  CHECK(j.at("message") == "m\r\n\x1b");
}

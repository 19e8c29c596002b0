#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <yaml-cpp/yaml.h>

#include "sample_events.hpp"
#include "test_support.hpp"
#include "vctp/bus/events.hpp"

using namespace vctp::bus;

namespace {

std::set<std::string> names(const std::vector<std::string_view>& list) { return {list.begin(), list.end()}; }

std::set<std::string> names(const YAML::Node& node) {
  std::set<std::string> out;
  for (const auto& item : node) out.insert(item.as<std::string>());
  return out;
}

}  // namespace

TEST_CASE("proto/asyncapi.yaml names exactly the subjects the code publishes or consumes", "[bus][asyncapi]") {
  const auto proto = vctp::test::source_dir() / "proto";
  const YAML::Node doc = YAML::LoadFile((proto / "asyncapi.yaml").string());
  CHECK(doc["asyncapi"].as<std::string>() == "2.6.0");

  std::set<std::string> documented;
  for (const auto& channel : doc["channels"]) documented.insert(channel.first.as<std::string>());
  std::set<std::string> in_code;
  for (const auto& info : event_subjects()) in_code.insert(std::string(info.subject));
  CHECK(documented == in_code);

  // Every event type of the library is in the catalogue, and nothing else is.
  std::set<std::string> types;
  vctp::bus::test::for_each_event_type([&](auto tag) { types.insert(std::string(decltype(tag)::kSubject)); });
  CHECK(types == in_code);

  std::set<std::string> referenced_schemas;
  for (const auto& info : event_subjects()) {
    const std::string subject(info.subject);
    INFO(subject);
    const YAML::Node channel = doc["channels"][subject];
    REQUIRE(channel);
    CHECK(names(channel["x-producers"]) == names(info.producers));
    CHECK(names(channel["x-consumers"]) == names(info.consumers));
    for (const char* operation : {"publish", "subscribe"}) {
      const std::string ref = channel[operation]["message"]["$ref"].as<std::string>();
      const std::string message_name = ref.substr(ref.rfind('/') + 1);
      const YAML::Node message = doc["components"]["messages"][message_name];
      REQUIRE(message);
      const std::string payload = message["payload"]["$ref"].as<std::string>();
      CHECK(payload == "schemas/" + std::string(info.schema));
    }
    referenced_schemas.insert(std::string(info.schema));
    const auto schema_path = proto / "schemas" / std::string(info.schema);
    REQUIRE(std::filesystem::exists(schema_path));
    const auto schema = nlohmann::json::parse(vctp::test::read_file(schema_path));
    CHECK(schema.at("properties").at("type").at("const") == subject);
    CHECK(schema.at("additionalProperties") == false);
    for (const char* member : {"id", "type", "time", "source"}) {
      const auto& required = schema.at("required");
      CHECK(std::find(required.begin(), required.end(), member) != required.end());
    }
  }
  // No schema file without a subject (envelope.json documents the common members).
  for (const auto& entry : std::filesystem::directory_iterator(proto / "schemas")) {
    const std::string file = entry.path().filename().string();
    if (file == "envelope.json") continue;
    CHECK(referenced_schemas.count(file) == 1);
  }
}

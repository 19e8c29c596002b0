#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "vctp/http/error.hpp"

using namespace vctp::http;
using nlohmann::json;

TEST_CASE("http: every error code has its own name and the expected status", "[http]") {
  const std::map<ErrorCode, int> expected = {
      {ErrorCode::kBadRequest, 400},      {ErrorCode::kInvalidJson, 400},     {ErrorCode::kInvalidParameter, 400},
      {ErrorCode::kInvalidPeriod, 400},   {ErrorCode::kInvalidName, 400},     {ErrorCode::kUnauthorized, 401},
      {ErrorCode::kForbidden, 403},       {ErrorCode::kNotFound, 404},        {ErrorCode::kMethodNotAllowed, 405},
      {ErrorCode::kRequestTimeout, 408},  {ErrorCode::kPayloadTooLarge, 413}, {ErrorCode::kHeadersTooLarge, 431}, {ErrorCode::kUnavailable, 503},
      {ErrorCode::kInternal, 500},
  };
  CHECK(expected.size() == kErrorTable.size());
  std::set<std::string_view> names;
  for (const auto& info : kErrorTable) {
    INFO(info.name);
    CHECK(!info.name.empty());
    CHECK(names.insert(info.name).second);
    REQUIRE(expected.count(info.code) == 1);
    CHECK(http_status(info.code) == expected.at(info.code));
    CHECK(error_name(info.code) == info.name);
  }
  CHECK(error_name(ErrorCode::kHeadersTooLarge) == "headers_too_large");
  CHECK(error_name(ErrorCode::kPayloadTooLarge) == "payload_too_large");
}

TEST_CASE("http: error bodies are JSON with the detail escaped", "[http]") {
  const std::string detail = "quote \" backslash \\ newline \n tab \t control \x01 end";
  const auto r = error_response(ErrorCode::kInvalidParameter, detail);
  CHECK(r.status == 400);
  CHECK(r.header("Content-Type") == "application/json");
  CHECK(!r.header("WWW-Authenticate"));
  CHECK(json::parse(r.body) == json{{"error", "invalid_parameter"}, {"detail", detail}});

  // A detail quoting a client's bytes that are not UTF-8 still gives a valid body.
  const auto bad = error_response(ErrorCode::kInvalidPeriod, "not '\xff\xfe'");
  CHECK(json::parse(bad.body).at("error") == "invalid_period");

  const auto unauthorized = error_response(ErrorCode::kUnauthorized, "no token");
  CHECK(unauthorized.status == 401);
  CHECK(unauthorized.header("WWW-Authenticate") == "Bearer realm=\"vctp\"");
}

#include <catch2/catch.hpp>

#include "vctp/http/message.hpp"
#include "vctp/http/router.hpp"

using namespace vctp::http;

namespace {

Request make_request(const std::string& method, const std::string& target) {
  Request r;
  r.method = method;
  r.target = target;
  const auto q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = parse_query(target.substr(q + 1));
  return r;
}

Handler answer(int status) {
  return [status](Request&) { return Response::make(status, "", "text/plain"); };
}

}  // namespace

TEST_CASE("http: percent_decode decodes escapes and refuses malformed ones", "[http]") {
  CHECK(percent_decode("a%20b") == "a b");
  CHECK(percent_decode("%2e%2E") == "..");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("a+b") == "a+b");
  CHECK_FALSE(percent_decode("%"));
  CHECK_FALSE(percent_decode("%4"));
  CHECK_FALSE(percent_decode("%zz"));
}

TEST_CASE("http: parse_query keeps the first value and decodes", "[http]") {
  const auto q = parse_query("name=web%2D01&x=1&x=2&&empty=&=skip&bad=%zz");
  CHECK(q.at("name") == "web-01");
  CHECK(q.at("x") == "1");
  CHECK(q.at("empty").empty());
  CHECK(q.count("bad") == 0);
  CHECK(q.count("") == 0);
}

TEST_CASE("http: split_path refuses dot segments, encoded or not", "[http]") {
  CHECK(split_path("/api/reports/a.xlsx") == std::vector<std::string>{"api", "reports", "a.xlsx"});
  CHECK(split_path("/") == std::vector<std::string>{});
  CHECK_FALSE(split_path("/api/../etc/passwd"));
  CHECK_FALSE(split_path("/api/%2e%2e/etc"));
  CHECK_FALSE(split_path("/api/./x"));
  CHECK_FALSE(split_path("/api/%00"));
  CHECK_FALSE(split_path("/api/%g1"));
  CHECK_FALSE(split_path("relative"));
  // An encoded slash stays inside its segment.
  CHECK(split_path("/a/..%2Fb") == std::vector<std::string>{"a", "../b"});
}

TEST_CASE("http: UTF-8 is checked strictly, and paths that are not UTF-8 are refused", "[http]") {
  for (const std::string& good : {std::string(""), std::string("plain"), std::string("caf\xc3\xa9"),
                                  std::string("\xe2\x82\xac"), std::string("\xf0\x9f\x98\x80"),
                                  std::string("\xf4\x8f\xbf\xbf")}) {
    INFO(good);
    CHECK(is_valid_utf8(good));
  }
  for (const std::string& bad :
       {std::string("\xff"), std::string("\xff\xfe{"), std::string("\xc0\xaf"), std::string("\xe0\x80\xaf"),
        std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"), std::string("\xc3"),
        std::string("\xe2\x82"), std::string("a\x80" "b"), std::string("\xf5\x80\x80\x80")}) {
    INFO(bad);
    CHECK_FALSE(is_valid_utf8(bad));
  }
  CHECK_FALSE(split_path("/api/summaries/daily/%ff%fe"));
  CHECK_FALSE(split_path("/api/vms/%ff/history"));
  CHECK(split_path("/api/vms/caf%C3%A9/history") == std::vector<std::string>{"api", "vms", "caf\xc3\xa9", "history"});
}

TEST_CASE("http: router matches literal and parameter segments", "[http]") {
  Router router;
  router.add("GET", "/api/vms/{id}/history", answer(200));
  router.add("GET", "/api/snapshots", answer(201));
  router.add("POST", "/api/snapshots/aggregate", answer(202));
  router.add("GET", "/", answer(203));

  auto r = make_request("GET", "/api/vms/4201-ab%20c/history?from=2026-11-01");
  auto m = router.match(r);
  REQUIRE(m.handler);
  CHECK(m.pattern == "/api/vms/{id}/history");
  CHECK(r.param("id") == "4201-ab c");
  CHECK((*m.handler)(r).status == 200);

  auto root = make_request("GET", "/");
  REQUIRE(router.match(root).handler);
  CHECK((*router.match(root).handler)(root).status == 203);

  auto head = make_request("HEAD", "/api/snapshots");
  CHECK(router.match(head).handler != nullptr);

  auto wrong_method = make_request("GET", "/api/snapshots/aggregate");
  const auto m405 = router.match(wrong_method);
  CHECK_FALSE(m405.handler);
  CHECK(m405.status == 405);
  CHECK(m405.allowed == std::vector<std::string>{"POST"});

  auto missing = make_request("GET", "/api/nothing");
  CHECK(router.match(missing).status == 404);
  auto traversal = make_request("GET", "/api/vms/%2e%2e/history");
  CHECK(router.match(traversal).status == 400);
  auto empty_param = make_request("GET", "/api/vms//history");
  CHECK(router.match(empty_param).status == 404);
}

TEST_CASE("http: router refuses duplicate and malformed patterns", "[http]") {
  Router router;
  router.add("GET", "/a", answer(200));
  CHECK_THROWS_AS(router.add("GET", "/a", answer(200)), std::invalid_argument);
  CHECK_NOTHROW(router.add("POST", "/a", answer(200)));
  CHECK_THROWS_AS(router.add("GET", "a", answer(200)), std::invalid_argument);
  CHECK(router.routes().size() == 2);
}

TEST_CASE("http: response headers are replaced case-insensitively", "[http]") {
  auto r = Response::make(200, "x", "text/plain");
  r.set_header("content-type", "application/json");
  CHECK(r.headers.size() == 1);
  CHECK(r.header("Content-Type") == "application/json");
  CHECK(reason_phrase(413) == "Payload Too Large");
}

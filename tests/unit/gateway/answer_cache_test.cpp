#include <catch2/catch.hpp>

#include "answer_cache.hpp"

using namespace vctp;
using namespace vctp::gateway;
using namespace std::chrono;

namespace {

http::Response ok(const std::string& body) { return http::Response::make(200, body, "application/json"); }

http::Request get_with(const std::string& name, const std::string& value) {
  http::Request r;
  r.method = "GET";
  r.headers[name] = value;
  return r;
}

std::string body_of(const http::Response& r) { return r.shared_body ? *r.shared_body : r.body; }

const system_clock::time_point kWall = sys_days(2026y / 12 / 3) + hours(10) + milliseconds(250);
const steady_clock::time_point kNow{};

}  // namespace

TEST_CASE("answer cache: an answer is found only at the data version it was built at, within its age",
          "[gateway]") {
  AnswerCache cache({1024 * 1024, seconds(60)});
  cache.store("/a", "v1", ok("one"), kWall, kNow);
  REQUIRE(cache.find("/a", "v1", kNow) != nullptr);
  CHECK(body_of(cache.find("/a", "v1", kNow)->response) == "one");
  CHECK(cache.find("/a", "v2", kNow) == nullptr);
  CHECK(cache.find("/b", "v1", kNow) == nullptr);
  CHECK(cache.find("/a", "v1", kNow + seconds(61)) == nullptr);
}

TEST_CASE("answer cache: Last-Modified moves on with every change of the body, even within a second", "[gateway]") {
  AnswerCache cache;
  const auto first = cache.store("/a", "v1", ok("one"), kWall, kNow);
  CHECK(first->last_modified == floor<seconds>(kWall));
  const auto same = cache.store("/a", "v2", ok("one"), kWall + seconds(5), kNow);
  CHECK(same->etag == first->etag);
  CHECK(same->last_modified == first->last_modified);
  const auto changed = cache.store("/a", "v3", ok("two"), kWall, kNow);
  CHECK(changed->etag != first->etag);
  CHECK(changed->last_modified > first->last_modified);
  // A client holding "one" with its Last-Modified gets the new body, not a 304.
  const auto r = conditional_answer(get_with("if-modified-since", http_date(first->last_modified)), *changed);
  CHECK(r.status == 200);
  CHECK(body_of(r) == "two");
}

TEST_CASE("answer cache: bounded in bytes, the oldest answers go first; a dropped key's next answer is later",
          "[gateway]") {
  AnswerCache cache({4096, seconds(300)});
  const auto a = cache.store("/a", "v1", ok(std::string(1500, 'a')), kWall, kNow);
  cache.store("/b", "v1", ok(std::string(1500, 'b')), kWall, kNow);
  cache.store("/c", "v1", ok(std::string(1500, 'c')), kWall, kNow);
  CHECK(cache.find("/a", "v1", kNow) == nullptr);
  CHECK(cache.find("/c", "v1", kNow) != nullptr);
  CHECK(cache.bytes() <= 4096);
  const auto again = cache.store("/a", "v2", ok(std::string(1500, 'x')), kWall, kNow);
  CHECK(again->last_modified > a->last_modified);
  const auto huge = cache.store("/h", "v1", ok(std::string(10000, 'h')), kWall, kNow);
  CHECK(body_of(huge->response).size() == 10000);
  CHECK(cache.find("/h", "v1", kNow) == nullptr);
}

TEST_CASE("answer cache: 304 to If-None-Match (which wins over If-Modified-Since) and If-Modified-Since", "[gateway]") {
  AnswerCache cache;
  const auto a = cache.store("/a", "v1", ok("body"), kWall, kNow);
  const auto lm = http_date(a->last_modified);
  CHECK(lm == "Thu, 03 Dec 2026 10:00:00 GMT");
  CHECK(parse_http_date(lm) == a->last_modified);
  CHECK_FALSE(parse_http_date("Thu, 03 Dec 2026 10:00:00 UTC"));
  CHECK_FALSE(parse_http_date("yesterday"));
  CHECK(conditional_answer(get_with("if-none-match", a->etag), *a).status == 304);
  CHECK(conditional_answer(get_with("if-none-match", "\"x\", W/" + a->etag), *a).status == 304);
  CHECK(conditional_answer(get_with("if-none-match", "*"), *a).status == 304);
  CHECK(conditional_answer(get_with("if-none-match", "\"other\""), *a).status == 200);
  CHECK(conditional_answer(get_with("if-modified-since", lm), *a).status == 304);
  CHECK(conditional_answer(get_with("if-modified-since", "Thu, 03 Dec 2026 09:59:59 GMT"), *a).status == 200);
  CHECK(conditional_answer(get_with("if-modified-since", "not a date"), *a).status == 200);
  auto both = get_with("if-none-match", "\"other\"");
  both.headers["if-modified-since"] = lm;
  CHECK(conditional_answer(both, *a).status == 200);
  const auto r = conditional_answer(get_with("if-none-match", a->etag), *a);
  CHECK(body_of(r).empty());
  CHECK(r.header("ETag") == a->etag);
  CHECK(r.header("Last-Modified") == lm);
}

#include <catch2/catch.hpp>

#include "vctp/core/cron.hpp"
#include "vctp/core/time_format.hpp"

using namespace vctp::core;

namespace {

std::string next(const std::string& expr, const std::string& after) {
  return format_iso8601(CronExpression::parse(expr).next_after(*parse_iso8601(after)));
}

}  // namespace

TEST_CASE("cron: daily at 03:00", "[cron]") {
  CHECK(next("0 3 * * *", "2026-11-24T13:05:00Z") == "2026-11-25T03:00:00Z");
  CHECK(next("0 3 * * *", "2026-11-24T02:59:59Z") == "2026-11-24T03:00:00Z");
  CHECK(next("0 3 * * *", "2026-11-24T03:00:00Z") == "2026-11-25T03:00:00Z");
}

TEST_CASE("cron: lists, ranges and steps", "[cron]") {
  CHECK(next("*/15 * * * *", "2026-11-24T13:05:00Z") == "2026-11-24T13:15:00Z");
  CHECK(next("5,35 9-17/4 * * *", "2026-11-24T13:40:00Z") == "2026-11-24T17:05:00Z");
  CHECK(next("10-20/5 * * * *", "2026-11-24T13:16:00Z") == "2026-11-24T13:20:00Z");
  CHECK(next("0 0 1 */3 *", "2026-11-24T00:00:00Z") == "2027-01-01T00:00:00Z");
}

TEST_CASE("cron: month and weekday names, Sunday as 0 or 7", "[cron]") {
  // 2026-11-24 is a Tuesday.
  CHECK(next("0 12 * * MON-FRI", "2026-11-27T13:00:00Z") == "2026-11-30T12:00:00Z");
  CHECK(next("0 0 * * sun", "2026-11-24T00:00:00Z") == "2026-11-29T00:00:00Z");
  CHECK(next("0 0 * * 7", "2026-11-24T00:00:00Z") == "2026-11-29T00:00:00Z");
  CHECK(next("0 0 1 jan *", "2026-11-24T00:00:00Z") == "2027-01-01T00:00:00Z");
  CHECK(next("0 0 29 feb *", "2026-11-24T00:00:00Z") == "2028-02-29T00:00:00Z");
}

TEST_CASE("cron: day-of-month and day-of-week both restricted match either", "[cron]") {
  // The 1st of the month or any Friday.
  CHECK(next("0 0 1 * fri", "2026-11-24T00:00:00Z") == "2026-11-27T00:00:00Z");
  CHECK(next("0 0 1 * fri", "2026-11-27T00:00:00Z") == "2026-12-01T00:00:00Z");
}

TEST_CASE("cron: shorthands", "[cron]") {
  CHECK(next("@hourly", "2026-11-24T13:05:00Z") == "2026-11-24T14:00:00Z");
  CHECK(next("@daily", "2026-11-24T13:05:00Z") == "2026-11-25T00:00:00Z");
  CHECK(next("@monthly", "2026-11-24T13:05:00Z") == "2026-12-01T00:00:00Z");
}

TEST_CASE("cron: invalid expressions are refused with the field named", "[cron]") {
  const auto error = [](const std::string& expr) {
    try {
      CronExpression::parse(expr);
    } catch (const CronError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(error("60 * * * *"), Catch::Contains("minute"));
  CHECK_THAT(error("* 24 * * *"), Catch::Contains("hour"));
  CHECK_THAT(error("* * 0 * *"), Catch::Contains("day-of-month"));
  CHECK_THAT(error("* * * 13 *"), Catch::Contains("month"));
  CHECK_THAT(error("* * * * 8"), Catch::Contains("day-of-week"));
  CHECK_THAT(error("* * * *"), Catch::Contains("5 fields"));
  CHECK_THAT(error("*/0 * * * *"), Catch::Contains("step"));
  CHECK_THAT(error("5-1 * * * *"), Catch::Contains("backwards"));
  CHECK_THAT(error("x * * * *"), Catch::Contains("minute"));
  CHECK_THAT(error("0 0 31 feb *"), Catch::Contains("never matches"));
}

TEST_CASE("cron: matches", "[cron]") {
  const auto expr = CronExpression::parse("30 2 * * *");
  CHECK(expr.matches(*parse_iso8601("2026-11-24T02:30:45Z")));
  CHECK_FALSE(expr.matches(*parse_iso8601("2026-11-24T02:31:00Z")));
}

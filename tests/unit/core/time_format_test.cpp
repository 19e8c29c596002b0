#include <catch2/catch.hpp>

#include "vctp/core/time_format.hpp"

using namespace vctp::core;

TEST_CASE("time: ISO 8601 round trip and offsets", "[time]") {
  const auto t = parse_iso8601("2026-11-24T13:00:00Z");
  REQUIRE(t);
  CHECK(format_iso8601(*t) == "2026-11-24T13:00:00Z");
  CHECK(format_iso8601(*parse_iso8601("2026-11-24T14:30:00+01:30")) == "2026-11-24T13:00:00Z");
  CHECK(format_iso8601(*parse_iso8601("2026-11-24T13:00:00.123456Z")) == "2026-11-24T13:00:00Z");
  CHECK(format_iso8601(*parse_iso8601("2026-11-24 13:00:00+00")) == "2026-11-24T13:00:00Z");
  CHECK_FALSE(parse_iso8601("2026-11-24T25:00:00Z"));
  CHECK_FALSE(parse_iso8601("2026-02-30T00:00:00Z"));
  CHECK_FALSE(parse_iso8601("yesterday"));
  // Beyond what a 64-bit nanosecond clock holds: refused, not overflowed.
  CHECK_FALSE(parse_iso8601("9999-12-31T23:59:59Z"));
  CHECK_FALSE(parse_iso8601("0001-01-01T00:00:00Z"));
  CHECK(format_iso8601(*parse_iso8601("2200-12-31T23:59:59Z")) == "2200-12-31T23:59:59Z");
  CHECK_FALSE(parse_iso8601("2026-11-24T13:00:00Q"));
}

TEST_CASE("time: days and months are validated", "[time]") {
  CHECK(parse_day("2026-11-24"));
  CHECK(parse_day("2028-02-29"));
  CHECK_FALSE(parse_day("2026-02-29"));
  CHECK_FALSE(parse_day("2026-13-01"));
  CHECK_FALSE(parse_day("2026-11-24; DROP TABLE x"));
  CHECK_FALSE(parse_day("2026-1-24"));
  CHECK(parse_month("2026-11"));
  CHECK_FALSE(parse_month("2026-00"));
  CHECK_FALSE(parse_month("2026-11-01"));
}

TEST_CASE("time: floor to the hour", "[time]") {
  CHECK(format_iso8601(floor_hour(*parse_iso8601("2026-11-24T13:59:59Z"))) == "2026-11-24T13:00:00Z");
}

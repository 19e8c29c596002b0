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

TEST_CASE("time: offsets are hours 00-23 and minutes 00-59", "[time]") {
  CHECK(format_iso8601(*parse_iso8601("2026-11-24T23:59:00+23:59")) == "2026-11-24T00:00:00Z");
  CHECK(format_iso8601(*parse_iso8601("2026-11-24T00:00:00-23:59")) == "2026-11-24T23:59:00Z");
  for (const char* bad : {"2026-11-24T10:00:00+99:99", "2026-11-24T10:00:00+24:00", "2026-11-24T10:00:00-00:60",
                          "2026-11-24T10:00:00+12:75", "2026-11-24T10:00:00+25", "2026-11-24T10:00:00-99"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso8601(bad));
  }
}

TEST_CASE("time: one period range, 1970 to 2200", "[time]") {
  using std::chrono::year;
  CHECK(in_period_range(year{1970}));
  CHECK(in_period_range(year{2200}));
  CHECK_FALSE(in_period_range(year{1969}));
  CHECK_FALSE(in_period_range(year{2201}));
  CHECK_FALSE(in_period_range(year{0}));
  CHECK(in_period_range(*parse_iso8601("1970-01-01T00:00:00Z")));
  CHECK(in_period_range(*parse_iso8601("2200-12-31T23:59:59Z")));
  CHECK_FALSE(in_period_range(*parse_iso8601("1969-12-31T23:59:59Z")));
  CHECK_FALSE(in_period_range(*parse_iso8601("1800-01-01T00:00:00Z")));
  // Times outside the period range but inside what the clock holds still parse (a VM's
  // creation time may be anything); past the clock's end they never do.
  CHECK_FALSE(parse_iso8601("2300-01-01T00:00:00Z"));
  CHECK_FALSE(parse_iso8601("2262-04-12T00:00:00Z"));
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

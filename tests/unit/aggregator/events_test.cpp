#include <catch2/catch.hpp>

#include "aggregation_events.hpp"
#include "vctp/core/time_format.hpp"

using namespace vctp;
using namespace vctp::aggregator;

namespace {

bus::SnapshotCompleted hourly(const std::string& iso, bus::JobStatus status = bus::JobStatus::kOk) {
  bus::SnapshotCompleted e;
  e.kind = bus::PeriodKind::kHourly;
  e.table = "snap_hourly_x";
  e.period_start = *core::parse_iso8601(iso);
  e.status = status;
  return e;
}

}  // namespace

TEST_CASE("the last hour of a day, or the first of the next, closes the day", "[aggregator]") {
  auto days = days_closed_by(hourly("2026-11-24T23:00:00Z"));
  REQUIRE(days.size() == 1);
  CHECK(days[0].text() == "2026-11-24");
  days = days_closed_by(hourly("2026-11-25T00:00:00Z"));
  REQUIRE(days.size() == 1);
  CHECK(days[0].text() == "2026-11-24");
  CHECK(days_closed_by(hourly("2026-11-24T13:00:00Z")).empty());
  CHECK(days_closed_by(hourly("2026-11-24T23:00:00Z", bus::JobStatus::kFailed)).empty());
  auto daily = hourly("2026-11-24T00:00:00Z");
  daily.kind = bus::PeriodKind::kDaily;
  CHECK(days_closed_by(daily).empty());
}

TEST_CASE("the first day of a month closes the previous month", "[aggregator]") {
  const auto m = month_closed_by(Period::parse(SummaryKind::kDaily, "2026-12-01"));
  REQUIRE(m);
  CHECK(m->text() == "2026-11");
  CHECK_FALSE(month_closed_by(Period::parse(SummaryKind::kDaily, "2026-12-02")));
  CHECK(month_closed_by(Period::parse(SummaryKind::kDaily, "2027-01-01"))->text() == "2026-12");
}

TEST_CASE("requests are parsed strictly, malformed ones leniently with an error", "[aggregator]") {
  bus::AggregateRequested ok;
  ok.kind = bus::AggregateKind::kMonthly;
  ok.period = "2026-11";
  ok.request_id = "r1";
  bus::stamp(ok, "ops", std::chrono::system_clock::now());
  const auto good = parse_request(bus::serialize_event(ok));
  CHECK(good.error.empty());
  CHECK(good.kind == SummaryKind::kMonthly);
  CHECK(good.period == "2026-11");
  CHECK(good.request_id == "r1");

  bus::AggregateRequested bad = ok;
  bad.kind = bus::AggregateKind::kDaily;
  bad.period = "2026-13-01";
  bad.request_id = "r2";
  const auto parsed = parse_request(bus::serialize_event(bad));
  CHECK_FALSE(parsed.error.empty());
  CHECK(parsed.kind == SummaryKind::kDaily);
  CHECK(parsed.period == "2026-13-01");
  CHECK(parsed.request_id == "r2");

  const auto garbage = parse_request("not json");
  CHECK_FALSE(garbage.error.empty());
  CHECK_FALSE(garbage.kind);
}

TEST_CASE("a failed aggregation becomes a failed completed event with its error", "[aggregator]") {
  AggregationOutcome out;
  out.kind = SummaryKind::kDaily;
  out.period = "2026-11-20";
  out.table = "summary_daily_20261120";
  out.error = "no hourly snapshot data";
  const auto e = completed_event(out, std::string("r9"));
  CHECK(e.status == bus::JobStatus::kFailed);
  CHECK(e.error == std::optional<std::string>("no hourly snapshot data"));
  CHECK(e.request_id == std::optional<std::string>("r9"));
  CHECK(e.rows == 0);
  out.ok = true;
  out.rows = 9;
  out.error.clear();
  const auto done = completed_event(out, std::nullopt);
  CHECK(done.status == bus::JobStatus::kOk);
  CHECK_FALSE(done.error);
}

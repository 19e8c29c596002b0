#include <catch2/catch.hpp>

#include "period.hpp"
#include "vctp/core/time_format.hpp"

using namespace vctp::aggregator;

TEST_CASE("daily and monthly periods parse strictly and name their tables", "[aggregator]") {
  const auto day = Period::parse(SummaryKind::kDaily, "2026-11-24");
  CHECK(day.text() == "2026-11-24");
  CHECK(day.table().str() == "summary_daily_20261124");
  CHECK(day.companion_table("pools") == "summary_daily_pools_20261124");
  CHECK(day.companion_table("nodes") == "summary_daily_nodes_20261124");
  CHECK(vctp::core::format_iso8601(day.start()) == "2026-11-24T00:00:00Z");
  CHECK(vctp::core::format_iso8601(day.end()) == "2026-11-25T00:00:00Z");
  CHECK(day.day_count() == 1);
  CHECK(day.previous().text() == "2026-11-23");
  CHECK(Period::parse(SummaryKind::kDaily, "2026-03-01").previous().text() == "2026-02-28");

  const auto month = Period::parse(SummaryKind::kMonthly, "2026-11");
  CHECK(month.table().str() == "summary_monthly_202611");
  CHECK(month.companion_table("nodes") == "summary_monthly_nodes_202611");
  CHECK(month.day_count() == 30);
  CHECK(Period::parse(SummaryKind::kMonthly, "2028-02").day_count() == 29);
  CHECK(Period::parse(SummaryKind::kMonthly, "2026-01").previous().text() == "2025-12");
  CHECK(Period::containing(SummaryKind::kMonthly, day.start()) == month);
}

TEST_CASE("the period range is the one store::TableName enforces", "[aggregator]") {
  CHECK(Period::parse(SummaryKind::kDaily, "1970-01-01").table().str() == "summary_daily_19700101");
  CHECK(Period::parse(SummaryKind::kDaily, "2200-12-31").table().str() == "summary_daily_22001231");
  CHECK(Period::parse(SummaryKind::kMonthly, "2200-12").table().str() == "summary_monthly_220012");
}

TEST_CASE("malformed periods are refused with InvalidRequest", "[aggregator]") {
  for (const char* bad : {"2026-13-01", "2026-11-24; DROP TABLE x", "2026-02-30", "2026-11-4",
                          "20261124", " 2026-11-24", "2026-11-24 ", "", "2026-11", "1969-12-31",
                          "2026-1a-01", "+026-11-24", "2201-01-01", "9999-12-31", "0000-01-01"}) {
    INFO(bad);
    CHECK_THROWS_AS(Period::parse(SummaryKind::kDaily, bad), InvalidRequest);
  }
  for (const char* bad : {"2026-13", "2026-00", "2026-11-24", "2026/11", "2026-1", "x", "", "0001-01", "1969-12",
                          "2201-01"}) {
    INFO(bad);
    CHECK_THROWS_AS(Period::parse(SummaryKind::kMonthly, bad), InvalidRequest);
  }
}

#include <catch2/catch.hpp>

#include "vctp/core/time_format.hpp"
#include "vctp/store/errors.hpp"
#include "vctp/store/table_name.hpp"

using namespace vctp;
using namespace std::chrono;
using store::SnapshotKind;
using store::TableName;

namespace {
system_clock::time_point at(const char* iso) { return *core::parse_iso8601(iso); }
}  // namespace

TEST_CASE("table names are built from UTC times") {
  const auto t = at("2026-11-24T13:45:12Z");
  CHECK(TableName::hourly(t).str() == "snap_hourly_2026112413");
  CHECK(TableName::hosts(t).str() == "snap_hosts_2026112413");
  CHECK(TableName::daily(2026y / November / 24).str() == "summary_daily_20261124");
  CHECK(TableName::monthly(2026y / November).str() == "summary_monthly_202611");
  CHECK(TableName::for_period(SnapshotKind::kDaily, t).str() == "summary_daily_20261124");
  CHECK(TableName::for_period(SnapshotKind::kMonthly, t).str() == "summary_monthly_202611");
  CHECK(TableName::hourly(at("2026-01-05T00:00:00Z")).str() == "snap_hourly_2026010500");
}

TEST_CASE("table names know their period") {
  const auto h = TableName::hourly(at("2026-11-24T13:45:12Z"));
  CHECK(h.kind() == SnapshotKind::kHourly);
  CHECK(h.period_start() == at("2026-11-24T13:00:00Z"));
  CHECK(h.period_end() == at("2026-11-24T14:00:00Z"));
  const auto d = TableName::daily(2026y / December / 31);
  CHECK(d.period_start() == at("2026-12-31T00:00:00Z"));
  CHECK(d.period_end() == at("2027-01-01T00:00:00Z"));
  const auto m = TableName::monthly(2024y / February);
  CHECK(m.period_start() == at("2024-02-01T00:00:00Z"));
  CHECK(m.period_end() == at("2024-03-01T00:00:00Z"));
  const auto dec = TableName::monthly(2026y / December);
  CHECK(dec.period_end() == at("2027-01-01T00:00:00Z"));
}

TEST_CASE("valid table names parse back to the same table") {
  for (const char* name : {"snap_hourly_2026112413", "snap_hosts_2026112400", "snap_hourly_2024022923",
                           "summary_daily_20261124", "summary_daily_20240229",
                           "summary_monthly_202611", "summary_monthly_197001"}) {
    INFO(name);
    const auto t = TableName::parse(name);
    CHECK(t.str() == name);
    CHECK(TableName::for_period(t.kind(), t.period_start()) == t);
  }
  CHECK(TableName::parse("summary_daily_20261124").kind() == SnapshotKind::kDaily);
  CHECK(TableName::parse("snap_hosts_2026112400").kind() == SnapshotKind::kHosts);
}

TEST_CASE("anything but the four patterns with a valid date is refused") {
  for (const char* bad : {
           "summary_daily_20261124; DROP TABLE x",
           "summary_daily_20261124 ",
           " summary_daily_20261124",
           "summary_daily_2026-13-01",
           "2026-13-01",
           "summary_daily_20261301",   // month 13
           "summary_daily_20261100",   // day 0
           "summary_daily_20230229",   // not a leap year
           "summary_daily_20261131",   // November has 30 days
           "snap_hourly_2026112424",   // hour 24
           "snap_hourly_20261124",     // too short
           "snap_hourly_202611241300", // too long
           "summary_monthly_202600",
           "summary_monthly_202613",
           "summary_monthly_2026",
           "summary_daily_1969123",
           "summary_daily_99991231",  // beyond what system_clock can hold
           "summary_daily_19691231",   // before 1970
           "summary_daily_+2026112",
           "summary_daily_２０２６１１２４",
           "SNAP_HOURLY_2026112413",
           "snap_hourly_2026112413\"; DROP TABLE inventory; --",
           "inventory",
           "snapshot_registry",
           "",
           "summary_weekly_20261124",
           "summary_daily_2026112４",
       }) {
    INFO(bad);
    CHECK_FALSE(TableName::try_parse(bad).has_value());
    CHECK_THROWS_AS(TableName::parse(bad), store::InvalidTableName);
  }
  CHECK_THROWS_AS(TableName::daily(2026y / February / 30), store::InvalidTableName);
  CHECK_THROWS_AS(TableName::monthly(2026y / month{13}), store::InvalidTableName);
  CHECK_THROWS_AS(TableName::daily(year{12026} / January / 1), store::InvalidTableName);
}

TEST_CASE("snapshot kinds have stable names") {
  for (auto k : {SnapshotKind::kHourly, SnapshotKind::kHosts, SnapshotKind::kDaily,
                 SnapshotKind::kMonthly}) {
    CHECK(store::parse_snapshot_kind(store::to_string(k)) == k);
  }
  CHECK_FALSE(store::parse_snapshot_kind("weekly").has_value());
  CHECK(store::table_glob(SnapshotKind::kDaily) == "summary_daily_*");
}

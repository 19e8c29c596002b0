#pragma once

#include <string>
#include <vector>

#include "vctp/bus/events.hpp"
#include "vctp/core/time_format.hpp"

namespace vctp::bus::test {

inline TimePoint at(const char* iso) { return *core::parse_iso8601(iso); }

/// Events of one type as the services build them: every optional member set, and none set.
template <class Event>
std::vector<Event> samples();

template <>
inline std::vector<SnapshotRequested> samples<SnapshotRequested>() {
  SnapshotRequested all;
  all.vcenter = "vc1.example.com";
  SnapshotRequested none;
  std::vector<SnapshotRequested> out{all, none};
  for (auto& e : out) stamp(e, "gateway", at("2026-11-25T10:00:05Z"));
  return out;
}

template <>
inline std::vector<SnapshotCompleted> samples<SnapshotCompleted>() {
  SnapshotCompleted hourly;
  hourly.kind = PeriodKind::kHourly;
  hourly.table = "snap_hourly_2026112510";
  hourly.vcenter = "vc1.example.com";
  hourly.period_start = at("2026-11-25T10:00:00Z");
  hourly.rows = 1234;
  hourly.duration_s = 12.5;
  hourly.status = JobStatus::kPartial;
  hourly.error = "datacenter DC2 timed out";
  SnapshotCompleted daily;
  daily.kind = PeriodKind::kDaily;
  daily.table = "summary_daily_20261124";
  daily.period_start = at("2026-11-24T00:00:00Z");
  daily.rows = 0;
  daily.duration_s = 0;
  daily.status = JobStatus::kOk;
  std::vector<SnapshotCompleted> out{hourly, daily};
  for (auto& e : out) stamp(e, "collector", at("2026-11-25T10:03:00Z"));
  return out;
}

template <>
inline std::vector<AggregateRequested> samples<AggregateRequested>() {
  AggregateRequested daily;
  daily.kind = AggregateKind::kDaily;
  daily.period = "2026-11-24";
  daily.request_id = "req-1";
  AggregateRequested monthly;
  monthly.kind = AggregateKind::kMonthly;
  monthly.period = "2026-10";
  monthly.request_id = new_uuid();
  std::vector<AggregateRequested> out{daily, monthly};
  for (auto& e : out) stamp(e, "gateway", at("2026-11-25T10:04:00Z"));
  return out;
}

template <>
inline std::vector<AggregateCompleted> samples<AggregateCompleted>() {
  AggregateCompleted all;
  all.kind = AggregateKind::kDaily;
  all.period = "2026-11-24";
  all.table = "summary_daily_20261124";
  all.rows = 998;
  all.request_id = "req-1";
  all.status = JobStatus::kFailed;
  all.error = "no hourly snapshot for 2026-11-24";
  AggregateCompleted none;
  none.kind = AggregateKind::kMonthly;
  none.period = "2026-10";
  none.table = "summary_monthly_202610";
  none.rows = 5000;
  // Refused requests: the period as requested (out of range, or malformed) and no table.
  AggregateCompleted refused;
  refused.kind = AggregateKind::kDaily;
  refused.period = "1969-12-31";
  refused.request_id = "req-2";
  refused.status = JobStatus::kFailed;
  refused.error = "invalid daily period '1969-12-31'";
  AggregateCompleted malformed = refused;
  malformed.kind = AggregateKind::kMonthly;
  malformed.period = "0001-01";
  AggregateCompleted garbled = refused;
  garbled.period = "'; DROP TABLE x";
  std::vector<AggregateCompleted> out{all, none, refused, malformed, garbled};
  for (auto& e : out) stamp(e, "aggregator", at("2026-11-25T10:05:00Z"));
  return out;
}

template <>
inline std::vector<ReportGenerated> samples<ReportGenerated>() {
  ReportGenerated hourly;
  hourly.kind = PeriodKind::kHourly;
  hourly.period = "2026-11-25T10:00:00Z";
  hourly.file = "vctp_hourly_2026112510.xlsx";
  hourly.bytes = 48213;
  ReportGenerated monthly;
  monthly.kind = PeriodKind::kMonthly;
  monthly.period = "2026-10";
  monthly.file = "vctp_monthly_202610.xlsx";
  monthly.bytes = 0;
  std::vector<ReportGenerated> out{hourly, monthly};
  for (auto& e : out) stamp(e, "reporter", at("2026-11-25T10:06:00Z"));
  return out;
}

/// Calls f.template operator()<Event>() for every event type.
template <class F>
void for_each_event_type(F&& f) {
  std::apply([&](auto... e) { (f(e), ...); }, EventTypes{});
}

}  // namespace vctp::bus::test

#include "vctp/store/table_name.hpp"

#include <cstdio>

#include "vctp/core/time_format.hpp"
#include "vctp/store/errors.hpp"

namespace vctp::store {

using namespace std::chrono;

namespace {

constexpr int kMinYear = static_cast<int>(core::kFirstPeriodYear);
constexpr int kMaxYear = static_cast<int>(core::kLastPeriodYear);

std::string_view prefix(SnapshotKind kind) {
  switch (kind) {
    case SnapshotKind::kHourly: return "snap_hourly_";
    case SnapshotKind::kHosts: return "snap_hosts_";
    case SnapshotKind::kDaily: return "summary_daily_";
    case SnapshotKind::kMonthly: return "summary_monthly_";
  }
  return "";
}

std::string_view refused_text(std::string_view text) {
  return text.size() > 80 ? text.substr(0, 80) : text;
}

bool valid_year(year y) { return core::in_period_range(y); }

// Exactly `n` ASCII digits.
std::optional<int> digits(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::string_view to_string(SnapshotKind kind) {
  switch (kind) {
    case SnapshotKind::kHourly: return "hourly";
    case SnapshotKind::kHosts: return "hosts";
    case SnapshotKind::kDaily: return "daily";
    case SnapshotKind::kMonthly: return "monthly";
  }
  return "";
}

std::optional<SnapshotKind> parse_snapshot_kind(std::string_view text) {
  for (auto k : {SnapshotKind::kHourly, SnapshotKind::kHosts, SnapshotKind::kDaily,
                 SnapshotKind::kMonthly}) {
    if (text == to_string(k)) return k;
  }
  return std::nullopt;
}

std::string_view table_glob(SnapshotKind kind) {
  switch (kind) {
    case SnapshotKind::kHourly: return "snap_hourly_*";
    case SnapshotKind::kHosts: return "snap_hosts_*";
    case SnapshotKind::kDaily: return "summary_daily_*";
    case SnapshotKind::kMonthly: return "summary_monthly_*";
  }
  return "";
}

TableName::TableName(SnapshotKind kind, TimePoint start) : kind_(kind), start_(start) {
  const auto day = floor<days>(start);
  const year_month_day ymd{day};
  if (!ymd.ok() || !valid_year(ymd.year())) {
    throw InvalidTableName("snapshot table: date out of range (years " + std::to_string(kMinYear) +
                           ".." + std::to_string(kMaxYear) + ")");
  }
  const int hour = static_cast<int>(duration_cast<hours>(start - day).count());
  char buf[32];
  switch (kind) {
    case SnapshotKind::kHourly:
    case SnapshotKind::kHosts:
      std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d", int(ymd.year()), unsigned(ymd.month()),
                    unsigned(ymd.day()), hour);
      break;
    case SnapshotKind::kDaily:
      std::snprintf(buf, sizeof buf, "%04d%02u%02u", int(ymd.year()), unsigned(ymd.month()),
                    unsigned(ymd.day()));
      break;
    case SnapshotKind::kMonthly:
      std::snprintf(buf, sizeof buf, "%04d%02u", int(ymd.year()), unsigned(ymd.month()));
      break;
  }
  name_ = std::string(prefix(kind)) + buf;
}

TableName TableName::hourly(TimePoint t) {
  return TableName(SnapshotKind::kHourly, floor<hours>(t));
}

TableName TableName::hosts(TimePoint t) { return TableName(SnapshotKind::kHosts, floor<hours>(t)); }

TableName TableName::daily(year_month_day day) {
  if (!day.ok() || !valid_year(day.year())) throw InvalidTableName("summary_daily: invalid date");
  return TableName(SnapshotKind::kDaily, sys_days{day});
}

TableName TableName::monthly(year_month month) {
  if (!month.ok() || !valid_year(month.year())) {
    throw InvalidTableName("summary_monthly: invalid month");
  }
  return TableName(SnapshotKind::kMonthly, sys_days{month / 1});
}

TableName TableName::for_period(SnapshotKind kind, TimePoint t) {
  switch (kind) {
    case SnapshotKind::kHourly: return hourly(t);
    case SnapshotKind::kHosts: return hosts(t);
    case SnapshotKind::kDaily: return daily(year_month_day{floor<days>(t)});
    case SnapshotKind::kMonthly: {
      const year_month_day ymd{floor<days>(t)};
      return monthly(ymd.year() / ymd.month());
    }
  }
  throw InvalidTableName("unknown snapshot kind");
}

TableName::TimePoint TableName::period_end() const {
  switch (kind_) {
    case SnapshotKind::kHourly:
    case SnapshotKind::kHosts: return start_ + hours(1);
    case SnapshotKind::kDaily: return start_ + days(1);
    case SnapshotKind::kMonthly: {
      const year_month_day ymd{floor<days>(start_)};
      const year_month next = ymd.year() / ymd.month() + months(1);
      return sys_days{next / 1};
    }
  }
  return start_;
}

std::optional<TableName> TableName::try_parse(std::string_view text) {
  for (auto kind : {SnapshotKind::kHourly, SnapshotKind::kHosts, SnapshotKind::kDaily,
                    SnapshotKind::kMonthly}) {
    const auto p = prefix(kind);
    if (text.substr(0, p.size()) != p) continue;
    const auto rest = text.substr(p.size());
    const std::size_t want = (kind == SnapshotKind::kMonthly) ? 6
                             : (kind == SnapshotKind::kDaily) ? 8
                                                              : 10;
    if (rest.size() != want) return std::nullopt;
    const auto y = digits(rest.substr(0, 4));
    const auto m = digits(rest.substr(4, 2));
    if (!y || !m) return std::nullopt;
    const year yy{*y};
    const month mm{static_cast<unsigned>(*m)};
    if (!valid_year(yy) || !mm.ok()) return std::nullopt;
    if (kind == SnapshotKind::kMonthly) return TableName(kind, sys_days{yy / mm / 1});
    const auto d = digits(rest.substr(6, 2));
    if (!d) return std::nullopt;
    const year_month_day ymd{yy, mm, day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    if (kind == SnapshotKind::kDaily) return TableName(kind, sys_days{ymd});
    const auto h = digits(rest.substr(8, 2));
    if (!h || *h > 23) return std::nullopt;
    return TableName(kind, sys_days{ymd} + hours(*h));
  }
  return std::nullopt;
}

TableName TableName::parse(std::string_view text) {
  if (auto t = try_parse(text)) return *t;
  throw InvalidTableName("not a snapshot table name: '" + std::string(refused_text(text)) +
                         "' (expected snap_hourly_YYYYMMDDHH, snap_hosts_YYYYMMDDHH, "
                         "summary_daily_YYYYMMDD or summary_monthly_YYYYMM with a valid UTC date)");
}

}  // namespace vctp::store

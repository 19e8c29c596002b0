#include "aggregator.hpp"

#include <set>

#include "vctp/core/logging.hpp"
#include "vctp/store/errors.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::aggregator {

namespace {

using namespace std::chrono;

std::set<std::string> day_texts(const std::vector<std::string>& tables) {
  std::set<std::string> out;
  for (const auto& name : tables) {
    const auto t = store::TableName::try_parse(name);
    if (!t) continue;
    out.insert(Period::containing(SummaryKind::kDaily, t->period_start()).text());
  }
  return out;
}

}  // namespace

Aggregator::Aggregator(store::Database& db, const core::Clock& clock, ChargebackRules rules,
                       AggregatorMetrics& metrics)
    : db_(db),
      clock_(clock),
      registry_(db, clock),
      daily_(registry_, std::move(rules)),
      monthly_(registry_),
      metrics_(metrics) {}

std::recursive_mutex& Aggregator::period_mutex(const std::string& key) {
  std::lock_guard lock(mutexes_guard_);
  auto& m = mutexes_[key];
  if (!m) m = std::make_unique<std::recursive_mutex>();
  return *m;
}

AggregationOutcome Aggregator::run(SummaryKind kind, std::string_view period_text) {
  try {
    return run(Period::parse(kind, period_text));
  } catch (const InvalidRequest& e) {
    return refuse(kind, period_text, e.what());
  }
}

AggregationOutcome Aggregator::refuse(SummaryKind kind, std::string_view period, std::string error) {
  AggregationOutcome out;
  out.kind = kind;
  out.period = std::string(period.substr(0, 64));
  out.invalid = true;
  out.error = std::move(error);
  (kind == SummaryKind::kDaily ? metrics_.daily_total : metrics_.monthly_total).inc();
  (kind == SummaryKind::kDaily ? metrics_.daily_failed_total : metrics_.monthly_failed_total).inc();
  core::log_warn("aggregation refused", {{"kind", std::string(to_string(kind))}, {"error", out.error}});
  return out;
}

AggregationOutcome Aggregator::run(const Period& period) {
  if (period.kind() == SummaryKind::kMonthly && period.start() <= clock_.now()) {
    // Build the month's missing daily summaries first (closed days with hourly data only).
    const auto hourly = day_texts(db_.list_tables("snap_hourly_*"));
    const auto summarised = day_texts(db_.list_tables("summary_daily_*"));
    std::vector<AggregationOutcome> days_built;
    for (auto day = Period::day(year_month_day{floor<days>(period.start())});
         day.start() < period.end() && day.end() <= clock_.now();
         day = Period::day(year_month_day{floor<days>(day.end())})) {
      if (hourly.count(day.text()) && !summarised.count(day.text())) days_built.push_back(build(day));
    }
    auto out = build(period);
    out.days_built = std::move(days_built);
    return out;
  }
  return build(period);
}

std::optional<AggregationOutcome> Aggregator::run_if_missing(const Period& period) {
  std::lock_guard lock(period_mutex(period.table().str()));
  if (!db_.list_tables(period.table().str()).empty()) {
    core::log_info("summary exists: not built again",
                   {{"kind", std::string(to_string(period.kind()))}, {"period", period.text()}});
    return std::nullopt;
  }
  return run(period);
}

AggregationOutcome Aggregator::build(const Period& period) {
  const bool daily = period.kind() == SummaryKind::kDaily;
  AggregationOutcome out;
  out.kind = period.kind();
  out.period = period.text();
  out.table = period.table().str();
  const auto started = steady_clock::now();
  {
    std::lock_guard lock(period_mutex(out.table));
    try {
      if (period.start() > clock_.now()) {
        throw InvalidRequest("period " + period.text() + " is in the future: it has no data yet");
      }
      const SummaryResult result = db_.transact([&](store::Transaction& tx) {
        return daily ? daily_.build(tx, period) : monthly_.build(tx, period);
      });
      out.rows = result.rows;
      out.ok = true;
    } catch (const InvalidRequest& e) {
      out.invalid = true;
      out.error = e.what();
    } catch (const store::StoreError& e) {
      out.retryable = e.retryable();
      out.error = std::string("database error: ") + e.what();
    } catch (const std::exception& e) {
      out.error = e.what();
    }
  }
  out.duration = duration_cast<milliseconds>(steady_clock::now() - started);
  (daily ? metrics_.daily_total : metrics_.monthly_total).inc();
  (daily ? metrics_.daily_duration : metrics_.monthly_duration)
      .observe(duration_cast<duration<double>>(steady_clock::now() - started).count());
  if (!out.ok) {
    (daily ? metrics_.daily_failed_total : metrics_.monthly_failed_total).inc();
    core::log_warn("aggregation failed", {{"kind", std::string(to_string(out.kind))},
                                          {"period", out.period},
                                          {"error", out.error}});
  } else {
    core::log_info("aggregation done", {{"kind", std::string(to_string(out.kind))},
                                        {"period", out.period},
                                        {"table", out.table},
                                        {"rows", std::to_string(out.rows)},
                                        {"ms", std::to_string(out.duration.count())}});
  }
  return out;
}

std::vector<Period> Aggregator::missing_periods(int lookback_days, int lookback_months) {
  const auto now = clock_.now();
  const auto hourly = day_texts(db_.list_tables("snap_hourly_*"));
  const auto summarised = day_texts(db_.list_tables("summary_daily_*"));
  std::set<std::string> months_done;
  for (const auto& name : db_.list_tables("summary_monthly_*")) {
    if (const auto t = store::TableName::try_parse(name)) {
      months_done.insert(Period::containing(SummaryKind::kMonthly, t->period_start()).text());
    }
  }
  std::vector<Period> out;
  const auto today = Period::containing(SummaryKind::kDaily, now);
  std::vector<Period> days_found;
  for (auto day = today.previous(); lookback_days-- > 0; day = day.previous()) {
    if (hourly.count(day.text()) && !summarised.count(day.text())) days_found.push_back(day);
  }
  out.insert(out.end(), days_found.rbegin(), days_found.rend());
  std::set<std::string> months_with_data;
  for (const auto& d : hourly) months_with_data.insert(d.substr(0, 7));
  for (const auto& d : summarised) months_with_data.insert(d.substr(0, 7));
  std::vector<Period> months_found;
  auto month = Period::containing(SummaryKind::kMonthly, now).previous();
  for (int i = 0; i < lookback_months; ++i, month = month.previous()) {
    if (months_with_data.count(month.text()) && !months_done.count(month.text())) {
      months_found.push_back(month);
    }
  }
  out.insert(out.end(), months_found.rbegin(), months_found.rend());
  return out;
}

std::vector<AggregationOutcome> Aggregator::catch_up(int lookback_days, int lookback_months) {
  std::vector<AggregationOutcome> out;
  for (const auto& p : missing_periods(lookback_days, lookback_months)) {
    if (auto outcome = run_if_missing(p)) out.push_back(std::move(*outcome));
  }
  return out;
}

}  // namespace vctp::aggregator

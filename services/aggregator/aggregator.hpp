#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aggregator_metrics.hpp"
#include "chargeback_rules.hpp"
#include "daily_summary.hpp"
#include "monthly_summary.hpp"
#include "period.hpp"
#include "vctp/core/clock.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/snapshot_registry.hpp"

namespace vctp::aggregator {

/// How one aggregation ended.
struct AggregationOutcome {
  SummaryKind kind = SummaryKind::kDaily;
  std::string period;  ///< As requested (validated or not).
  std::string table;   ///< Empty when the period was invalid.
  std::int64_t rows = 0;
  bool ok = false;
  /// Bad input (malformed, future, no data): retrying the same request cannot succeed.
  bool invalid = false;
  /// A failure that may pass (a locked database, a lost connection).
  bool retryable = false;
  std::string error;
  std::chrono::milliseconds duration{0};
  /// A monthly run first builds the month's missing daily summaries: how each of them went.
  std::vector<AggregationOutcome> days_built;
};

/// Builds daily and monthly summaries on request: validates the period, serialises work on the
/// same period (in-process mutex here, advisory lock in PostgreSQL), runs each build in one
/// transaction and counts it in the metrics. Thread-safe.
class Aggregator {
 public:
  Aggregator(store::Database& db, const core::Clock& clock, ChargebackRules rules,
             AggregatorMetrics& metrics);

  /// Builds the summary of `period_text` ("YYYY-MM-DD" daily, "YYYY-MM" monthly). A monthly
  /// build first builds the missing daily summaries of the month's closed days. Never throws
  /// for bad input or database failures: the outcome says what happened.
  AggregationOutcome run(SummaryKind kind, std::string_view period_text);
  AggregationOutcome run(const Period& period);
  /// Builds `period` unless its summary table exists; nullopt when nothing was done. Checked
  /// under the period's lock, so a fallback (the next day's first hour, the catch-up) racing the
  /// event that closed the period does not build it a second time.
  std::optional<AggregationOutcome> run_if_missing(const Period& period);
  /// Counts and returns a failed outcome for a request that cannot even name its period.
  AggregationOutcome refuse(SummaryKind kind, std::string_view period, std::string error);

  /// Closed periods (ended before now) with input data and no summary: days in the last
  /// `lookback_days`, months in the last `lookback_months`, oldest first; days before months.
  std::vector<Period> missing_periods(int lookback_days, int lookback_months);

  /// Builds every period missing_periods() returns that is still missing; returns their outcomes.
  std::vector<AggregationOutcome> catch_up(int lookback_days, int lookback_months);

  const core::Clock& clock() const { return clock_; }

 private:
  AggregationOutcome build(const Period& period);
  std::recursive_mutex& period_mutex(const std::string& key);

  store::Database& db_;
  const core::Clock& clock_;
  store::SnapshotRegistry registry_;
  DailySummary daily_;
  MonthlySummary monthly_;
  AggregatorMetrics& metrics_;
  std::mutex mutexes_guard_;
  std::map<std::string, std::unique_ptr<std::recursive_mutex>> mutexes_;
};

}  // namespace vctp::aggregator

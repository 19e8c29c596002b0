#include "aggregator_metrics.hpp"

namespace vctp::aggregator {

AggregatorMetrics::AggregatorMetrics(metrics::Registry& r)
    : daily_total(r.counter("vctp_daily_aggregations_total", "Daily summaries computed (successful or not).")),
      daily_failed_total(r.counter("vctp_daily_aggregations_failed_total", "Daily summaries that failed.")),
      daily_duration(r.histogram("vctp_daily_aggregation_duration_seconds",
                                 "Duration of daily summary runs, in seconds (histogram of every run).")),
      monthly_total(r.counter("vctp_monthly_aggregations_total", "Monthly summaries computed (successful or not).")),
      monthly_failed_total(r.counter("vctp_monthly_aggregations_failed_total", "Monthly summaries that failed.")),
      monthly_duration(r.histogram("vctp_monthly_aggregation_duration_seconds",
                                   "Duration of monthly summary runs, in seconds (histogram of every run).")) {}

}  // namespace vctp::aggregator

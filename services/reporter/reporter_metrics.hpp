#pragma once

#include <string>

#include "report_period.hpp"
#include "vctp/metrics/registry.hpp"

namespace vctp::reporter {

/// The reporter's metrics.
struct ReporterMetrics {
  explicit ReporterMetrics(metrics::Registry& registry);

  /// vctp_reports_available: report files in reports_dir (workbooks and FOCUS CSVs), recounted
  /// after every write and periodically (so removals show).
  metrics::Gauge reports_available;

  /// vctp_reports_generated_total{kind}.
  metrics::Counter& generated(ReportKind kind);
  /// vctp_report_failures_total{kind,reason}: reason is no_data, source, write, catalog or announce.
  metrics::Counter failures(ReportKind kind, const std::string& reason);
  /// vctp_report_duration_seconds{kind}.
  metrics::Histogram& duration(ReportKind kind);
  /// vctp_report_last_success_timestamp_seconds{kind}.
  metrics::Gauge& last_success(ReportKind kind);

 private:
  metrics::Registry& registry_;
  metrics::Counter generated_[3];
  metrics::Histogram duration_[3];
  metrics::Gauge last_success_[3];
};

}  // namespace vctp::reporter

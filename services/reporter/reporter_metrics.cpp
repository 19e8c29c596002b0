#include "reporter_metrics.hpp"

#include "chargeback_gauges.hpp"

namespace vctp::reporter {
namespace {

constexpr const char* kFailuresName = "vctp_report_failures_total";
constexpr const char* kFailuresHelp = "Reports that could not be generated, by kind and reason.";

metrics::Labels kind_label(ReportKind kind) { return {{"kind", std::string(to_string(kind))}}; }

metrics::Counter generated_counter(metrics::Registry& r, ReportKind kind) {
  return r.counter("vctp_reports_generated_total", "Report files written, by kind.", kind_label(kind));
}
metrics::Histogram duration_histogram(metrics::Registry& r, ReportKind kind) {
  return r.histogram("vctp_report_duration_seconds", "Time to generate one report, by kind.",
                     metrics::duration_buckets(), kind_label(kind));
}
metrics::Gauge last_success_gauge(metrics::Registry& r, ReportKind kind) {
  return r.gauge("vctp_report_last_success_timestamp_seconds", "When a report of this kind was last written.",
                 kind_label(kind));
}

}  // namespace

ReporterMetrics::ReporterMetrics(metrics::Registry& r)
    : reports_available(r.gauge("vctp_reports_available", "Report files present in reports_dir (XLSX workbooks and FOCUS CSVs).")),
      registry_(r),
      generated_{generated_counter(r, ReportKind::kHourly), generated_counter(r, ReportKind::kDaily),
                 generated_counter(r, ReportKind::kMonthly)},
      duration_{duration_histogram(r, ReportKind::kHourly), duration_histogram(r, ReportKind::kDaily),
                duration_histogram(r, ReportKind::kMonthly)},
      last_success_{last_success_gauge(r, ReportKind::kHourly), last_success_gauge(r, ReportKind::kDaily),
                    last_success_gauge(r, ReportKind::kMonthly)} {
  r.declare_counter_family(kFailuresName, kFailuresHelp);
  ChargebackGauges::declare(r);  // the chargeback_* families read before the first closed period
}

metrics::Counter& ReporterMetrics::generated(ReportKind kind) { return generated_[static_cast<int>(kind)]; }

metrics::Counter ReporterMetrics::failures(ReportKind kind, const std::string& reason) {
  metrics::Labels labels = kind_label(kind);
  labels["reason"] = reason;
  return registry_.counter(kFailuresName, kFailuresHelp, labels);
}

metrics::Histogram& ReporterMetrics::duration(ReportKind kind) { return duration_[static_cast<int>(kind)]; }

metrics::Gauge& ReporterMetrics::last_success(ReportKind kind) { return last_success_[static_cast<int>(kind)]; }

}  // namespace vctp::reporter

#include "reporter_metrics.hpp"

namespace vctp::reporter {

ReporterMetrics::ReporterMetrics(metrics::Registry& r)
    : reports_available(r.gauge("vctp_reports_available", "Report files present in reports_dir.")) {}

}  // namespace vctp::reporter

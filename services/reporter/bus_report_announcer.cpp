#include "bus_report_announcer.hpp"

#include "vctp/bus/consumer.hpp"
#include "vctp/bus/events.hpp"

namespace vctp::reporter {

void BusReportAnnouncer::announce(const GeneratedReport& report) {
  bus::ReportGenerated event;
  switch (report.period.kind()) {
    case ReportKind::kHourly:
      event.kind = bus::PeriodKind::kHourly;
      break;
    case ReportKind::kDaily:
      event.kind = bus::PeriodKind::kDaily;
      break;
    case ReportKind::kMonthly:
      event.kind = bus::PeriodKind::kMonthly;
      break;
  }
  event.period = report.period.label();
  event.file = report.file_name;
  event.bytes = report.bytes;
  publisher_.publish(event);
}

}  // namespace vctp::reporter

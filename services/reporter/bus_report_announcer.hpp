#pragma once

#include "report_generator.hpp"

namespace vctp::bus {
class EventPublisher;
}

namespace vctp::reporter {

/// Announces reports on vctp.report.generated (JetStream, de-duplicated by event id).
class BusReportAnnouncer final : public ReportAnnouncer {
 public:
  explicit BusReportAnnouncer(bus::EventPublisher& publisher) : publisher_(publisher) {}
  void announce(const GeneratedReport& report) override;

 private:
  bus::EventPublisher& publisher_;
};

}  // namespace vctp::reporter

#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "chargeback.hpp"
#include "report_model.hpp"
#include "reporter_metrics.hpp"
#include "vctp/core/clock.hpp"

namespace vctp::reporter {

/// A period with nothing to report (no snapshot or summary table, or one without rows): an
/// error, never an empty report.
class NoReportData : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where report data comes from (the database in the service; fixed data in tests). Each call
/// throws NoReportData when the period has no data, anything else derived from std::exception
/// when the source fails.
class ReportSource {
 public:
  virtual ~ReportSource() = default;
  virtual HourlyReportData hourly(const ReportPeriod& period) = 0;
  virtual DailyReportData daily(const ReportPeriod& period) = 0;
  virtual MonthlyReportData monthly(const ReportPeriod& period) = 0;
};

/// A report file that has been written into reports_dir.
struct GeneratedReport {
  ReportPeriod period;
  std::string file_name;
  std::int64_t bytes = 0;
  std::vector<std::string> companion_files;  ///< e.g. the FOCUS CSV of a monthly report
  std::size_t rows = 0;                      ///< VMs in the report
  TimePoint created_at;
};

/// Records generated reports (the `reports` table).
class ReportCatalog {
 public:
  virtual ~ReportCatalog() = default;
  virtual void record(const GeneratedReport& report) = 0;
};

/// Tells others a report was generated (vctp.report.generated).
class ReportAnnouncer {
 public:
  virtual ~ReportAnnouncer() = default;
  virtual void announce(const GeneratedReport& report) = 0;
};

/// Builds, writes, records and announces reports. Reports of one period replace each other;
/// generate() may be called from several threads (one report is written at a time).
class ReportGenerator {
 public:
  /// `catalog` and `announcer` may be null (nothing recorded / announced). All references must
  /// outlive the generator.
  ReportGenerator(ReportSource& source, ReportCatalog* catalog, ReportAnnouncer* announcer,
                  std::filesystem::path reports_dir, ChargePolicy policy, const core::Clock& clock,
                  ReporterMetrics& metrics);

  /// Generates the report of `period`. Throws NoReportData, ReportWriteError (nothing left
  /// behind under the final name), or what the source, catalog or announcer threw; every
  /// failure is counted in vctp_report_failures_total.
  GeneratedReport generate(const ReportPeriod& period);

  /// Counts report files in reports_dir and sets vctp_reports_available; returns the count.
  std::size_t recount();

 private:
  GeneratedReport write(const ReportPeriod& period);

  ReportSource& source_;
  ReportCatalog* catalog_;
  ReportAnnouncer* announcer_;
  std::filesystem::path reports_dir_;
  ChargePolicy policy_;
  const core::Clock& clock_;
  ReporterMetrics& metrics_;
  std::mutex mutex_;
};

/// The number of report files (vctp_<kind>_<period>.xlsx) in `dir`; 0 when it cannot be read.
std::size_t count_report_files(const std::filesystem::path& dir);

}  // namespace vctp::reporter

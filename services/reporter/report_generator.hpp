#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "chargeback.hpp"
#include "chargeback_gauges.hpp"
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
  std::vector<std::int64_t> companion_bytes;  ///< the sizes of companion_files, in their order
  std::size_t rows = 0;                      ///< VMs in the report
  TimePoint created_at;
};

/// Records generated reports (the `reports` table).
class ReportCatalog {
 public:
  virtual ~ReportCatalog() = default;
  /// Records (or replaces, by file name) the report file and each of its companion files, all
  /// under the report's kind and period, all or none.
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
  /// `catalog`, `announcer` and `gauges` may be null (nothing recorded / announced / exported).
  /// All references must outlive the generator.
  ReportGenerator(ReportSource& source, ReportCatalog* catalog, ReportAnnouncer* announcer,
                  std::filesystem::path reports_dir, ChargePolicy policy, const core::Clock& clock,
                  ReporterMetrics& metrics, ChargebackGauges* gauges = nullptr);

  /// Generates the report of `period`. Throws NoReportData, ReportWriteError, or what the
  /// source, catalog or announcer threw; every failure is counted in
  /// vctp_report_failures_total. A generation that fails before its files are recorded removes
  /// the files it created (a FOCUS CSV without its workbook, files the catalog does not list);
  /// files it replaced stay, as the catalog already lists them.
  GeneratedReport generate(const ReportPeriod& period);

  /// Counts report files in reports_dir and sets vctp_reports_available; returns the count.
  std::size_t recount();

 private:
  /// Builds and writes the report's files. Appends to `created` every final path it writes that
  /// did not exist before (before renaming into it, so a failed commit leaves nothing behind).
  GeneratedReport write(const ReportPeriod& period, std::vector<std::filesystem::path>& created);

  ReportSource& source_;
  ReportCatalog* catalog_;
  ReportAnnouncer* announcer_;
  std::filesystem::path reports_dir_;
  ChargePolicy policy_;
  const core::Clock& clock_;
  ReporterMetrics& metrics_;
  ChargebackGauges* gauges_;
  std::mutex mutex_;
};

/// The number of report files (vctp_<kind>_<period>.xlsx and vctp_monthly_<period>_focus.csv) in
/// `dir`; 0 when it cannot be read.
std::size_t count_report_files(const std::filesystem::path& dir);

}  // namespace vctp::reporter

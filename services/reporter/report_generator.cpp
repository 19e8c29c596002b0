#include "report_generator.hpp"

#include <chrono>
#include <fstream>

#include "focus_export.hpp"
#include "report_builder.hpp"
#include "staged_file.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/report_file_name.hpp"
#include "xlsx_writer.hpp"

namespace vctp::reporter {
namespace {

/// Removes files a failed generation created, so none is left without its workbook or its row
/// in the catalog.
void discard(const std::vector<std::filesystem::path>& created) {
  for (const auto& path : created) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (ec) {
      core::log_warn("cannot remove a file of a failed report; remove it by hand",
                     {{"file", path.string()}, {"error", ec.message()}});
    }
  }
}

/// Notes `path` as created by this generation when nothing of that name is there yet.
void note_if_new(const std::filesystem::path& path, std::vector<std::filesystem::path>& created) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) created.push_back(path);
}

}  // namespace

ReportGenerator::ReportGenerator(ReportSource& source, ReportCatalog* catalog, ReportAnnouncer* announcer,
                                 std::filesystem::path reports_dir, ChargePolicy policy, const core::Clock& clock,
                                 ReporterMetrics& metrics, ChargebackGauges* gauges)
    : source_(source),
      catalog_(catalog),
      announcer_(announcer),
      reports_dir_(std::move(reports_dir)),
      policy_(std::move(policy)),
      clock_(clock),
      metrics_(metrics),
      gauges_(gauges) {}

GeneratedReport ReportGenerator::generate(const ReportPeriod& period) {
  std::lock_guard lock(mutex_);
  const auto kind = period.kind();
  const auto started = std::chrono::steady_clock::now();
  std::string stage = "source";
  std::vector<std::filesystem::path> created;
  try {
    GeneratedReport report = write(period, created);
    stage = "catalog";
    if (catalog_) catalog_->record(report);
    created.clear();  // listed: kept whatever happens next
    stage = "announce";
    if (announcer_) announcer_->announce(report);
    recount();
    metrics_.generated(kind).inc();
    metrics_.last_success(kind).set_to_now();
    metrics_.duration(kind).observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    core::log_info("report generated", {{"kind", std::string(to_string(kind))},
                                        {"period", period.label()},
                                        {"file", report.file_name},
                                        {"bytes", std::to_string(report.bytes)},
                                        {"vms", std::to_string(report.rows)}});
    return report;
  } catch (const NoReportData& e) {
    metrics_.failures(kind, "no_data").inc();
    core::log_error("report not generated: no data",
                    {{"kind", std::string(to_string(kind))}, {"period", period.label()}, {"error", e.what()}});
    throw;
  } catch (const ReportWriteError& e) {
    discard(created);
    metrics_.failures(kind, "write").inc();
    recount();
    core::log_error("report not written",
                    {{"kind", std::string(to_string(kind))}, {"period", period.label()}, {"error", e.what()}});
    throw;
  } catch (const std::exception& e) {
    discard(created);
    metrics_.failures(kind, stage).inc();
    recount();
    core::log_error("report failed", {{"kind", std::string(to_string(kind))},
                                      {"period", period.label()},
                                      {"stage", stage},
                                      {"error", e.what()}});
    throw;
  }
}

GeneratedReport ReportGenerator::write(const ReportPeriod& period, std::vector<std::filesystem::path>& created) {
  const TimePoint now = clock_.now();
  GeneratedReport report{period, period.file_name(), 0, {}, {}, 0, now};
  WorkbookSpec spec;
  std::shared_ptr<MonthlyReportData> monthly;
  switch (period.kind()) {
    case ReportKind::kHourly: {
      auto data = std::make_shared<HourlyReportData>(source_.hourly(period));
      policy_.remove_filtered(data->vms);
      if (data->vms.empty()) throw NoReportData("no VMs in the hourly snapshot of " + period.label());
      report.rows = data->vms.size();
      spec = build_hourly_workbook(std::move(data), policy_, now);
      break;
    }
    case ReportKind::kDaily: {
      auto data = std::make_shared<DailyReportData>(source_.daily(period));
      policy_.remove_filtered(data->vms);
      if (data->vms.empty()) throw NoReportData("no VMs in the daily summary of " + period.label());
      report.rows = data->vms.size();
      if (gauges_ && period.end() <= now) gauges_->update(period, data->vms);
      spec = build_daily_workbook(std::move(data), policy_, now);
      break;
    }
    case ReportKind::kMonthly: {
      monthly = std::make_shared<MonthlyReportData>(source_.monthly(period));
      policy_.remove_filtered(monthly->vms);
      if (monthly->vms.empty()) throw NoReportData("no VMs in the monthly summary of " + period.label());
      report.rows = monthly->vms.size();
      if (gauges_ && period.end() <= now) gauges_->update(period, monthly->vms);
      spec = build_monthly_workbook(monthly, policy_, now);
      break;
    }
  }

  StagedFile xlsx(reports_dir_, report.file_name);
  write_xlsx(spec, xlsx.temp_path());

  if (monthly) {
    // The FOCUS export is committed first: the workbook appearing means both are there.
    const std::string focus_name = period.focus_file_name();
    StagedFile csv(reports_dir_, focus_name);
    {
      std::ofstream out(csv.temp_path(), std::ios::binary | std::ios::trunc);
      if (!out) throw ReportWriteError("cannot open " + csv.temp_path().string() + " for writing");
      write_focus_csv(out, *monthly, policy_);
      out.flush();
      if (!out) {
        throw ReportWriteError("cannot write " + csv.temp_path().string() +
                               " (is the directory writable, and is there free space?)");
      }
    }
    note_if_new(csv.final_path(), created);
    const auto bytes = csv.commit();
    report.companion_files.push_back(focus_name);
    report.companion_bytes.push_back(static_cast<std::int64_t>(bytes));
  }
  note_if_new(xlsx.final_path(), created);
  report.bytes = static_cast<std::int64_t>(xlsx.commit());
  return report;
}

std::size_t ReportGenerator::recount() {
  const std::size_t n = count_report_files(reports_dir_);
  metrics_.reports_available.set(static_cast<double>(n));
  return n;
}

std::size_t count_report_files(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return 0;
  std::size_t n = 0;
  for (const auto& entry : it) {
    std::error_code type_ec;
    if (entry.is_regular_file(type_ec) && core::is_report_file_name(entry.path().filename().string())) ++n;
  }
  return n;
}

}  // namespace vctp::reporter

#include "reporter_service.hpp"

#include <filesystem>

#include "vctp/core/logging.hpp"

namespace vctp::reporter {

ReporterService::ReporterService(service::ServiceContext& context, ReporterMetrics& metrics,
                                 ReportGenerator* generator, std::chrono::milliseconds recount_interval)
    : context_(context), metrics_(metrics), generator_(generator), recount_interval_(recount_interval) {}

ReporterService::~ReporterService() { stop(); }

void ReporterService::start() {
  std::error_code ec;
  std::filesystem::create_directories(context_.settings.reports_dir, ec);
  if (ec) {
    core::log_warn("cannot create reports_dir; reports will fail until it exists and is writable",
                   {{"reports_dir", context_.settings.reports_dir}, {"error", ec.message()}});
  }
  metrics_.reports_available.set(static_cast<double>(count_report_files(context_.settings.reports_dir)));
  recount_thread_ = std::thread([this] { recount_loop(); });
  core::log_info("reporter ready", {{"reports_dir", context_.settings.reports_dir}});
}

void ReporterService::stop() {
  context_.stop.request_stop();
  if (recount_thread_.joinable()) recount_thread_.join();
}

void ReporterService::recount_loop() {
  while (!context_.stop.wait_for(recount_interval_)) {
    const auto n = generator_ ? generator_->recount() : count_report_files(context_.settings.reports_dir);
    if (!generator_) metrics_.reports_available.set(static_cast<double>(n));
  }
}

}  // namespace vctp::reporter

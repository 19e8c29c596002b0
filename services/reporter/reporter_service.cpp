#include "reporter_service.hpp"

#include "vctp/core/logging.hpp"

namespace vctp::reporter {

ReporterService::ReporterService(service::ServiceContext& context)
    : context_(context), metrics_(context.metrics) {}

void ReporterService::start() { core::log_info("reporter ready", {{"reports_dir", context_.settings.reports_dir}}); }

void ReporterService::stop() {}

}  // namespace vctp::reporter

#include "aggregator_service.hpp"

#include "vctp/core/logging.hpp"

namespace vctp::aggregator {

AggregatorService::AggregatorService(service::ServiceContext& context)
    : context_(context), metrics_(context.metrics) {}

void AggregatorService::start() {
  core::log_info("aggregator ready", {{"cleanup_cron", context_.settings.snapshot_cleanup_cron}});
}

void AggregatorService::stop() {}

}  // namespace vctp::aggregator

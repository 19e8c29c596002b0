#include "collector_service.hpp"

#include "vctp/core/logging.hpp"

namespace vctp::collector {

CollectorService::CollectorService(service::ServiceContext& context)
    : context_(context), metrics_(context.metrics) {
  for (const auto& address : context_.settings.vcenter_addresses) metrics_.add_vcenter(vcenter_label(address));
}

void CollectorService::start() {
  core::log_info("collector ready", {{"vcenters", std::to_string(context_.settings.vcenter_addresses.size())}});
}

void CollectorService::stop() {}

}  // namespace vctp::collector

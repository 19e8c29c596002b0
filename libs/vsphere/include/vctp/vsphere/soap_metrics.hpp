#pragma once

#include <functional>
#include <string>

#include "vctp/vsphere/client.hpp"

namespace vctp::metrics {
class Registry;
}

namespace vctp::vsphere {

/// A ClientOptions::on_soap_call that observes every call's latency in the histogram
/// vctp_vcenter_soap_call_seconds{vcenter, method} and counts failures in
/// vctp_vcenter_soap_call_errors_total{vcenter, method}. The registry must outlive the client.
std::function<void(const SoapCall&)> soap_call_metrics(metrics::Registry& registry, const std::string& vcenter);

}  // namespace vctp::vsphere

#include "vctp/vsphere/soap_metrics.hpp"

#include "vctp/metrics/registry.hpp"

namespace vctp::vsphere {

std::function<void(const SoapCall&)> soap_call_metrics(metrics::Registry& registry, const std::string& vcenter) {
  registry.declare_histogram_family("vctp_vcenter_soap_call_seconds", "Latency of vim25 SOAP calls to a vCenter, in seconds.");
  registry.declare_counter_family("vctp_vcenter_soap_call_errors_total", "vim25 SOAP calls to a vCenter that failed.");
  return [&registry, vcenter](const SoapCall& call) {
    const metrics::Labels labels{{"vcenter", vcenter}, {"method", call.method}};
    registry
        .histogram("vctp_vcenter_soap_call_seconds", "Latency of vim25 SOAP calls to a vCenter, in seconds.",
                   metrics::duration_buckets(), labels)
        .observe(call.seconds);
    if (!call.ok) {
      registry.counter("vctp_vcenter_soap_call_errors_total", "vim25 SOAP calls to a vCenter that failed.", labels).inc();
    }
  };
}

}  // namespace vctp::vsphere

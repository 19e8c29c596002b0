#include "vctp/vsphere/errors.hpp"

#include <array>
#include <string_view>

namespace vctp::vsphere {

namespace {

bool transient_fault(const std::string& type) {
  static constexpr std::array<std::string_view, 6> kTransient = {
      "ManagedObjectNotFound", "HostCommunication", "RequestCanceled",
      "SystemError",           "TaskInProgress",    "InvalidState"};
  for (auto t : kTransient) {
    if (type == t) return true;
  }
  return false;
}

}  // namespace

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidLogin: return "invalid_login";
    case ErrorKind::kNotAuthenticated: return "not_authenticated";
    case ErrorKind::kFault: return "fault";
    case ErrorKind::kTransport: return "transport";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kTls: return "tls";
    case ErrorKind::kProtocol: return "protocol";
  }
  return "unknown";
}

SoapFaultError::SoapFaultError(const std::string& fault_type, const std::string& message)
    : VsphereError(ErrorKind::kFault, message, transient_fault(fault_type), fault_type) {}

}  // namespace vctp::vsphere

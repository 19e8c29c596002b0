#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace vctp::vsphere {

/// What went wrong talking to a vCenter.
enum class ErrorKind {
  kInvalidLogin,      ///< Login refused: wrong user name or password. Retrying will not help.
  kNotAuthenticated,  ///< The session is not (or no longer) valid; a new Login may help.
  kFault,             ///< Any other SOAP fault; fault_type() names it (e.g. "ManagedObjectNotFound").
  kTransport,         ///< Connecting, sending or receiving failed (refused, reset, closed mid-response).
  kTimeout,           ///< The connect, read or whole-call timeout expired.
  kTls,               ///< TLS failed: certificate or host name not trusted, or handshake refused.
  kProtocol,          ///< The answer is not the SOAP the client expects (HTTP status, XML, content).
};

/// The name of a kind, e.g. "invalid_login" (for logs and metric labels).
const char* to_string(ErrorKind kind);

/// Every error of libs/vsphere. `retryable()` says whether trying the same call again later
/// (e.g. at the next snapshot) has a reasonable chance to succeed without an operator.
class VsphereError : public std::runtime_error {
 public:
  VsphereError(ErrorKind kind, const std::string& message, bool retryable, std::string fault_type = {})
      : std::runtime_error(message), kind_(kind), retryable_(retryable), fault_type_(std::move(fault_type)) {}

  ErrorKind kind() const { return kind_; }
  /// The vim25 fault type for SOAP faults ("InvalidLogin", "NotAuthenticated", ...), else empty.
  const std::string& fault_type() const { return fault_type_; }
  bool retryable() const { return retryable_; }

 private:
  ErrorKind kind_;
  bool retryable_;
  std::string fault_type_;
};

/// The user name or password was refused.
class InvalidLoginError : public VsphereError {
 public:
  explicit InvalidLoginError(const std::string& message)
      : VsphereError(ErrorKind::kInvalidLogin, message, false, "InvalidLogin") {}
};

/// The session is not valid (expired, terminated, or never logged in).
class NotAuthenticatedError : public VsphereError {
 public:
  explicit NotAuthenticatedError(const std::string& message)
      : VsphereError(ErrorKind::kNotAuthenticated, message, true, "NotAuthenticated") {}
};

/// Any other SOAP fault, with its type and fault string. Retryable for the transient kinds
/// (the object vanished while being read, the vCenter lost a host, a request was cancelled).
class SoapFaultError : public VsphereError {
 public:
  SoapFaultError(const std::string& fault_type, const std::string& message);
};

/// The network failed: connection refused, reset, or closed in the middle of an answer.
class TransportError : public VsphereError {
 public:
  explicit TransportError(const std::string& message) : VsphereError(ErrorKind::kTransport, message, true) {}
};

/// A timeout expired (connect, read, or the whole call).
class TimeoutError : public VsphereError {
 public:
  explicit TimeoutError(const std::string& message) : VsphereError(ErrorKind::kTimeout, message, true) {}
};

/// The vCenter's certificate or host name is not trusted (or TLS failed otherwise).
class TlsError : public VsphereError {
 public:
  explicit TlsError(const std::string& message) : VsphereError(ErrorKind::kTls, message, false) {}
};

/// An answer that is not the expected SOAP (bad HTTP status, malformed XML, missing element).
/// Retryable when the server said it was busy or failing (HTTP 5xx without a SOAP fault).
class ProtocolError : public VsphereError {
 public:
  explicit ProtocolError(const std::string& message, bool retryable = false)
      : VsphereError(ErrorKind::kProtocol, message, retryable) {}
};

}  // namespace vctp::vsphere

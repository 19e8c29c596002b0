#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "vctp/http/message.hpp"

namespace vctp::http {

/// Every error a vctp HTTP endpoint answers with: the server's own (a request too large or not
/// HTTP) and the REST API's. kErrorTable gives each its name and HTTP status.
enum class ErrorCode {
  kBadRequest,        ///< malformed request line, path or body
  kInvalidJson,       ///< the body is not the JSON object expected
  kInvalidParameter,  ///< a query parameter or field with a bad value
  kInvalidPeriod,     ///< a date, month or period that does not parse or does not fit
  kInvalidName,       ///< a report name that cannot be a file name
  kUnauthorized,      ///< no bearer token where one is needed
  kForbidden,         ///< a token that is not one of api_tokens
  kNotFound,
  kMethodNotAllowed,
  kRequestTimeout,   ///< a request whose body did not arrive within the server's read_timeout
  kPayloadTooLarge,  ///< a body over the server's max_body_bytes
  kHeadersTooLarge,  ///< request headers over the server's max_header_bytes
  kUnavailable,      ///< the database or NATS cannot be reached right now
  kInternal,
};

/// The name (the `error` member of an error body) and HTTP status of an ErrorCode.
struct ErrorInfo {
  ErrorCode code;
  std::string_view name;
  int status;
};

/// The one mapping of errors to names and HTTP statuses, in the order of ErrorCode.
inline constexpr std::array kErrorTable = {
    ErrorInfo{ErrorCode::kBadRequest, "bad_request", 400},
    ErrorInfo{ErrorCode::kInvalidJson, "invalid_json", 400},
    ErrorInfo{ErrorCode::kInvalidParameter, "invalid_parameter", 400},
    ErrorInfo{ErrorCode::kInvalidPeriod, "invalid_period", 400},
    ErrorInfo{ErrorCode::kInvalidName, "invalid_name", 400},
    ErrorInfo{ErrorCode::kUnauthorized, "unauthorized", 401},
    ErrorInfo{ErrorCode::kForbidden, "forbidden", 403},
    ErrorInfo{ErrorCode::kNotFound, "not_found", 404},
    ErrorInfo{ErrorCode::kMethodNotAllowed, "method_not_allowed", 405},
    ErrorInfo{ErrorCode::kRequestTimeout, "request_timeout", 408},
    ErrorInfo{ErrorCode::kPayloadTooLarge, "payload_too_large", 413},
    ErrorInfo{ErrorCode::kHeadersTooLarge, "headers_too_large", 431},
    ErrorInfo{ErrorCode::kUnavailable, "unavailable", 503},
    ErrorInfo{ErrorCode::kInternal, "internal", 500},
};

namespace detail {
constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kErrorTable.size(); ++i) {
    if (static_cast<std::size_t>(kErrorTable[i].code) != i) return false;
  }
  return static_cast<std::size_t>(ErrorCode::kInternal) + 1 == kErrorTable.size();
}
}  // namespace detail
static_assert(detail::table_in_enum_order(), "kErrorTable lists every ErrorCode once, in the enum's order");

constexpr const ErrorInfo& error_info(ErrorCode code) { return kErrorTable[static_cast<std::size_t>(code)]; }

/// "invalid_period" and so on: the `error` member of an error body.
constexpr std::string_view error_name(ErrorCode code) { return error_info(code).name; }

/// The HTTP status an error is answered with.
constexpr int http_status(ErrorCode code) { return error_info(code).status; }

/// An error a handler throws to answer {"error": name, "detail": detail}.
class ApiError : public std::runtime_error {
 public:
  ApiError(ErrorCode code, const std::string& detail) : std::runtime_error(detail), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

/// The response of an error: its status and the JSON body {"error": name, "detail": detail}
/// (detail JSON-escaped), with WWW-Authenticate on 401.
Response error_response(ErrorCode code, std::string_view detail);

}  // namespace vctp::http

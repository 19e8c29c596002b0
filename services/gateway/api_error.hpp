#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "vctp/http/message.hpp"

namespace vctp::gateway {

/// Every error the REST API answers with; http_status() maps each to its HTTP status.
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
  kPayloadTooLarge,
  kUnavailable,       ///< the database or NATS cannot be reached right now
  kInternal,
};

/// "invalid_period" and so on: the `error` member of an error body.
std::string_view error_name(ErrorCode code);

/// The one mapping of API errors to HTTP statuses.
int http_status(ErrorCode code);

/// An error the API answers with {"error": name, "detail": detail}.
class ApiError : public std::runtime_error {
 public:
  ApiError(ErrorCode code, const std::string& detail) : std::runtime_error(detail), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

/// The response of an error: its status and JSON body.
http::Response error_response(ErrorCode code, const std::string& detail);

}  // namespace vctp::gateway

#include "api_error.hpp"

#include <nlohmann/json.hpp>

namespace vctp::gateway {

std::string_view error_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest: return "bad_request";
    case ErrorCode::kInvalidJson: return "invalid_json";
    case ErrorCode::kInvalidParameter: return "invalid_parameter";
    case ErrorCode::kInvalidPeriod: return "invalid_period";
    case ErrorCode::kInvalidName: return "invalid_name";
    case ErrorCode::kUnauthorized: return "unauthorized";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kMethodNotAllowed: return "method_not_allowed";
    case ErrorCode::kPayloadTooLarge: return "payload_too_large";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
    case ErrorCode::kInvalidJson:
    case ErrorCode::kInvalidParameter:
    case ErrorCode::kInvalidPeriod:
    case ErrorCode::kInvalidName: return 400;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

http::Response error_response(ErrorCode code, const std::string& detail) {
  const nlohmann::json body = {{"error", error_name(code)}, {"detail", detail}};
  auto response = http::Response::make(http_status(code), body.dump(), "application/json");
  if (code == ErrorCode::kUnauthorized) response.set_header("WWW-Authenticate", "Bearer realm=\"vctp\"");
  return response;
}

}  // namespace vctp::gateway

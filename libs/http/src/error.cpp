#include "vctp/http/error.hpp"

#include <nlohmann/json.hpp>

namespace vctp::http {

Response error_response(ErrorCode code, std::string_view detail) {
  const nlohmann::json body = {{"error", error_name(code)}, {"detail", detail}};
  // Replace, not throw, on invalid UTF-8: a detail may quote what a client sent.
  auto response = Response::make(http_status(code), body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                                 "application/json");
  if (code == ErrorCode::kUnauthorized) response.set_header("WWW-Authenticate", "Bearer realm=\"vctp\"");
  return response;
}

}  // namespace vctp::http

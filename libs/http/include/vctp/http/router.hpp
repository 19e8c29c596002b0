#pragma once

#include <functional>
#include <string>
#include <vector>

#include "vctp/http/message.hpp"

namespace vctp::http {

using Handler = std::function<Response(Request&)>;

/// A route as registered: its method and path pattern (e.g. "/api/vms/{id}/history").
struct RouteInfo {
  std::string method;
  std::string pattern;
};

/// Maps method + path pattern to handlers. Patterns are literal segments and `{name}` segments
/// that match exactly one non-empty path segment, percent-decoded into Request::params.
class Router {
 public:
  /// Adds a route; throws std::invalid_argument for a malformed pattern or a duplicate.
  void add(const std::string& method, const std::string& pattern, Handler handler);

  /// The outcome of matching a request against the routes.
  struct Match {
    const Handler* handler = nullptr;  ///< nullptr when nothing matched
    std::string pattern;               ///< the matched pattern ("" when none)
    int status = 0;  ///< when handler is null: 404 (no path), 405 (path, not method), 400 (bad path)
    std::vector<std::string> allowed;  ///< methods of the path, for 405's Allow header
  };

  /// Finds the route of `request` and fills request.params.
  Match match(Request& request) const;

  /// Every route, in registration order.
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

/// Splits a raw path into percent-decoded segments; nullopt when a segment is malformed, is
/// "." or "..", or decodes to something containing NUL or that is not UTF-8.
std::optional<std::vector<std::string>> split_path(std::string_view raw_path);

}  // namespace vctp::http

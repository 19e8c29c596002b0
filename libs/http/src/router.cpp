#include "vctp/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace vctp::http {
namespace {

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::vector<std::string> pattern_segments(const std::string& pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= pattern.size()) {
    const auto slash = pattern.find('/', start);
    const std::string seg = pattern.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!seg.empty()) out.push_back(seg);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> split_path(std::string_view raw_path) {
  std::vector<std::string> out;
  if (raw_path.empty() || raw_path.front() != '/') return std::nullopt;
  std::size_t start = 1;
  while (start <= raw_path.size()) {
    const auto slash = raw_path.find('/', start);
    const std::string_view raw =
        raw_path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!raw.empty()) {
      auto decoded = percent_decode(raw);
      if (!decoded || *decoded == "." || *decoded == ".." ||
          decoded->find('\0') != std::string::npos || !is_valid_utf8(*decoded)) {
        return std::nullopt;
      }
      out.push_back(std::move(*decoded));
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

void Router::add(const std::string& method, const std::string& pattern, Handler handler) {
  for (const auto& r : routes_) {
    if (r.method == method && r.pattern == pattern) {
      throw std::invalid_argument("duplicate route " + method + " " + pattern);
    }
  }
  routes_.push_back(Route{method, pattern, pattern_segments(pattern), std::move(handler)});
}

Router::Match Router::match(Request& request) const {
  Match result;
  const auto segments = split_path(request.path);
  if (!segments) {
    result.status = 400;
    return result;
  }
  for (const auto& route : routes_) {
    if (route.segments.size() != segments->size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < route.segments.size() && ok; ++i) {
      const auto& want = route.segments[i];
      if (is_param(want)) {
        params[want.substr(1, want.size() - 2)] = (*segments)[i];
      } else {
        ok = want == (*segments)[i];
      }
    }
    if (!ok) continue;
    const bool method_ok = route.method == request.method ||
                           (route.method == "GET" && request.method == "HEAD");
    if (!method_ok) {
      if (std::find(result.allowed.begin(), result.allowed.end(), route.method) == result.allowed.end()) {
        result.allowed.push_back(route.method);
      }
      continue;
    }
    request.params = std::move(params);
    result.handler = &route.handler;
    result.pattern = route.pattern;
    result.status = 0;
    result.allowed.clear();
    return result;
  }
  result.status = result.allowed.empty() ? 404 : 405;
  return result;
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back(RouteInfo{r.method, r.pattern});
  return out;
}

}  // namespace vctp::http

#include "vctp/core/secrets.hpp"

namespace vctp::core {

std::string mask_url_password(std::string_view url) {
  // scheme://user:password@host... → scheme://user:****@host...
  std::string out;
  std::size_t pos = 0;
  while (pos < url.size()) {
    const auto scheme = url.find("://", pos);
    if (scheme == std::string_view::npos) break;
    const auto authority = scheme + 3;
    const auto end = url.find_first_of("/?#,", authority);
    const auto host_part = url.substr(authority, (end == std::string_view::npos ? url.size() : end) - authority);
    const auto at = host_part.rfind('@');
    out.append(url.substr(pos, authority - pos));
    if (at != std::string_view::npos) {
      const auto userinfo = host_part.substr(0, at);
      const auto colon = userinfo.find(':');
      if (colon != std::string_view::npos) {
        out.append(userinfo.substr(0, colon)).append(":****");
      } else {
        out.append(userinfo);
      }
      out.append(host_part.substr(at));
    } else {
      out.append(host_part);
    }
    pos = authority + host_part.size();
  }
  out.append(url.substr(pos));
  // key=value DSNs: password=secret → password=****
  const auto key = out.find("password=");
  if (key != std::string::npos) {
    const auto value = key + 9;
    const auto value_end = out.find_first_of(" &", value);
    out.replace(value, (value_end == std::string::npos ? out.size() : value_end) - value, "****");
  }
  return out;
}

std::string mask_secret(std::string_view secret) { return secret.empty() ? "" : "****"; }

}  // namespace vctp::core

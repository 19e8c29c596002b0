#include "vctp/core/secrets.hpp"

#include <cctype>

namespace vctp::core {
namespace {

constexpr std::string_view kMask = "****";

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool is_password_key(std::string_view key) {
  constexpr std::string_view kPassword = "password";  // password, sslpassword
  return key.size() >= kPassword.size() && key.substr(key.size() - kPassword.size()) == kPassword;
}

/// Where the userinfo of the URL whose authority starts at `authority` ends (its '@'), or npos.
/// The usual place is before the first '/', '?' or '#'; a password that holds one of those
/// unencoded pushes it further, up to the next URL of a list (nats://a,nats://b). Where it is
/// ambiguous this masks too much rather than too little.
std::size_t userinfo_end(std::string_view url, std::size_t authority) {
  const auto delimiter = url.find_first_of("/?#,", authority);
  const auto plain = url.substr(authority, delimiter == std::string_view::npos ? url.npos : delimiter - authority);
  if (const auto at = plain.rfind('@'); at != std::string_view::npos) return authority + at;
  auto limit = url.find("://", authority);
  if (limit != std::string_view::npos) {
    const auto comma = url.rfind(',', limit);
    limit = comma == std::string_view::npos || comma < authority ? authority : comma;
  } else {
    limit = url.size();
  }
  const auto at = url.substr(authority, limit - authority).rfind('@');
  return at == std::string_view::npos ? url.npos : authority + at;
}

/// scheme://user:password@host... → scheme://user:****@host..., for each URL of a list.
std::string mask_userinfo(std::string_view url) {
  std::string out;
  std::size_t pos = 0;
  while (pos < url.size()) {
    const auto scheme = url.find("://", pos);
    if (scheme == std::string_view::npos) break;
    const auto authority = scheme + 3;
    out.append(url.substr(pos, authority - pos));
    pos = authority;
    const auto at = userinfo_end(url, authority);
    if (at == std::string_view::npos) continue;
    const auto userinfo = url.substr(authority, at - authority);
    const auto colon = userinfo.find(':');
    out.append(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) out.append(":").append(kMask);
    pos = at;
  }
  out.append(url.substr(pos));
  return out;
}

/// ?password=secret&... → ?password=****&... (a value runs to the next '&' or '#').
std::string mask_query_passwords(std::string text) {
  for (std::size_t eq = text.find('='); eq != std::string::npos; eq = text.find('=', eq + 1)) {
    const auto key_begin = text.find_last_of("?&", eq);
    if (key_begin == std::string::npos) continue;
    if (!is_password_key(std::string_view(text).substr(key_begin + 1, eq - key_begin - 1))) continue;
    const auto value_end = text.find_first_of("&#", eq + 1);
    text.replace(eq + 1, (value_end == std::string::npos ? text.size() : value_end) - eq - 1, kMask);
  }
  return text;
}

}  // namespace

std::vector<DsnField> parse_dsn_fields(std::string_view dsn) {
  std::vector<DsnField> fields;
  std::size_t pos = 0;
  const auto skip_spaces = [&] {
    while (pos < dsn.size() && is_space(dsn[pos])) ++pos;
  };
  while (true) {
    skip_spaces();
    if (pos >= dsn.size()) break;
    DsnField field;
    while (pos < dsn.size() && dsn[pos] != '=' && !is_space(dsn[pos])) field.key += dsn[pos++];
    skip_spaces();
    if (field.key.empty() || pos >= dsn.size() || dsn[pos] != '=') break;  // not key=value
    ++pos;
    skip_spaces();
    field.value_begin = pos;
    const bool quoted = pos < dsn.size() && dsn[pos] == '\'';
    if (quoted) ++pos;
    while (pos < dsn.size() && (quoted ? dsn[pos] != '\'' : !is_space(dsn[pos]))) {
      if (dsn[pos] == '\\' && pos + 1 < dsn.size()) ++pos;
      field.value += dsn[pos++];
    }
    if (quoted && pos < dsn.size()) ++pos;  // the closing quote
    field.value_end = pos;
    fields.push_back(std::move(field));
  }
  return fields;
}

std::string mask_url_password(std::string_view url) {
  if (url.find("://") != std::string_view::npos) return mask_query_passwords(mask_userinfo(url));
  std::string out(url);
  const auto fields = parse_dsn_fields(url);
  for (auto it = fields.rbegin(); it != fields.rend(); ++it) {  // from the end: earlier offsets hold
    if (is_password_key(it->key)) out.replace(it->value_begin, it->value_end - it->value_begin, kMask);
  }
  return out;
}

std::string mask_secret(std::string_view secret) { return secret.empty() ? "" : "****"; }

}  // namespace vctp::core

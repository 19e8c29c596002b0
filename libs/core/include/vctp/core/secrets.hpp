#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vctp::core {

/// A DSN or URL with its password replaced by "****", the whole of it whatever it holds
/// (postgres://user:****@host:5432/db, nats://user:****@host:4222, host=db password=****).
std::string mask_url_password(std::string_view url);

/// One `key=value` of a libpq connection string, and where its value sits in the string (quotes
/// included), so it can be read or masked.
struct DsnField {
  std::string key;
  std::string value;  ///< unquoted and unescaped
  std::size_t value_begin = 0;
  std::size_t value_end = 0;
};

/// Splits a libpq key=value connection string as libpq does: spaces around '=', a value in single
/// quotes may hold spaces, a backslash escapes the next character (password='it\'s'). Stops at
/// the first word that is not key=value.
std::vector<DsnField> parse_dsn_fields(std::string_view dsn);

/// "****" for a non-empty secret, "" for an empty one.
std::string mask_secret(std::string_view secret);

}  // namespace vctp::core

#pragma once

#include <string>
#include <string_view>

namespace vctp::core {

/// A DSN or URL with its password replaced by "****"
/// (postgres://user:****@host:5432/db, nats://user:****@host:4222).
std::string mask_url_password(std::string_view url);

/// "****" for a non-empty secret, "" for an empty one.
std::string mask_secret(std::string_view secret);

}  // namespace vctp::core

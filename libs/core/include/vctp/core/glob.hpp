#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vctp::core {

/// Shell-style glob match (`*`, `?`, `[abc]`, `[a-z]`, `[!x]`), case-insensitive, as the
/// chargeback rules use for tenants, clusters and VM names.
bool glob_match(std::string_view pattern, std::string_view text);

/// Whether any of `patterns` matches `text`.
bool glob_match_any(const std::vector<std::string>& patterns, std::string_view text);

}  // namespace vctp::core

#pragma once

#include <string_view>
#include <vector>

#include "vctp/store/dialect.hpp"

namespace vctp::store::detail {

/// One numbered SQL file of migrations/<backend>/, embedded at build time.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// The migrations of a backend, in order (generated embedded_migrations.cpp).
const std::vector<Migration>& embedded_migrations(Backend backend);

}  // namespace vctp::store::detail

#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "vctp/core/settings.hpp"
#include "vctp/core/settings_schema.hpp"

namespace vctp::core::detail {

using SettingMember =
    std::variant<std::string Settings::*, bool Settings::*, std::int64_t Settings::*,
                 std::vector<std::string> Settings::*, std::optional<RateCard> Settings::*>;

/// Checks a value already converted to its type; returns what was expected, or "" if valid.
using StringCheck = std::string (*)(const std::string&);
using IntegerCheck = std::string (*)(std::int64_t);

struct SettingDeclaration {
  SettingSpec spec;
  SettingMember member;
  StringCheck check_string = nullptr;
  IntegerCheck check_integer = nullptr;
};

/// The one table of every setting.
const std::vector<SettingDeclaration>& setting_declarations();

}  // namespace vctp::core::detail

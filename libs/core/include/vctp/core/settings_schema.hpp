#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vctp::core {

enum class SettingType { kString, kBool, kInteger, kStringList, kRateCard };

/// The declaration of one setting: the single place its key, type, default and meaning live.
struct SettingSpec {
  std::string_view key;
  SettingType type;
  std::string_view default_yaml;  ///< the default, as it is written in config/vctp.yml
  std::string_view description;
  bool secret;
};

/// Every setting vctp knows, in the order of config/vctp.yml.
const std::vector<SettingSpec>& setting_specs();

/// The known key closest to `key` (for "did you mean" warnings), or empty when none is close.
std::string nearest_setting_key(std::string_view key);

/// The reference settings file (config/vctp.yml) generated from the declarations.
std::string reference_settings_yaml();

}  // namespace vctp::core

#include "vctp/core/settings.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "settings_declarations.hpp"
#include "vctp/core/secrets.hpp"

namespace vctp::core {
namespace {

using detail::SettingDeclaration;

/// Where a value came from, for error messages.
struct Origin {
  std::string source;  // file name or "environment variable VCTP_X"
  int line = 0;        // 1-based, 0 when unknown
};

std::string where(const Origin& origin, std::string_view key) {
  std::string text = origin.source + ": key '" + std::string(key) + "'";
  if (origin.line > 0) text += " (line " + std::to_string(origin.line) + ")";
  return text;
}

[[noreturn]] void fail(const Origin& origin, std::string_view key, const std::string& expected,
                       const std::string& got) {
  throw SettingsError(where(origin, key) + ": expected " + expected + ", got " + got);
}

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "an undefined value";
  }
}

std::int64_t to_integer(const YAML::Node& node, const Origin& origin, std::string_view key) {
  if (!node.IsScalar()) fail(origin, key, "an integer", describe_node(node));
  const std::string& s = node.Scalar();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
    fail(origin, key, "an integer", "'" + s + "'");
  }
  return value;
}

bool to_bool(const YAML::Node& node, const Origin& origin, std::string_view key) {
  if (!node.IsScalar()) fail(origin, key, "true or false", describe_node(node));
  std::string s = node.Scalar();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  fail(origin, key, "true or false", "'" + node.Scalar() + "'");
}

std::string to_string(const YAML::Node& node, const Origin& origin, std::string_view key) {
  if (node.IsNull()) return "";
  if (!node.IsScalar()) fail(origin, key, "a string", describe_node(node));
  return node.Scalar();
}

std::vector<std::string> to_list(const YAML::Node& node, const Origin& origin, std::string_view key) {
  std::vector<std::string> values;
  if (node.IsNull()) return values;
  if (!node.IsSequence()) fail(origin, key, "a list of strings", describe_node(node));
  for (const auto& item : node) {
    if (!item.IsScalar()) fail(origin, key, "a list of strings", "an item that is " + describe_node(item));
    values.push_back(item.Scalar());
  }
  return values;
}

/// Converts and validates `node` into the declared member of `settings`.
void assign(Settings& settings, const SettingDeclaration& decl, const YAML::Node& node,
            const Origin& origin) {
  const std::string_view key = decl.spec.key;
  std::visit(
      [&](auto member) {
        using Member = std::remove_cvref_t<decltype(settings.*member)>;
        if constexpr (std::is_same_v<Member, std::string>) {
          std::string value = to_string(node, origin, key);
          if (decl.check_string) {
            if (std::string expected = decl.check_string(value); !expected.empty()) {
              fail(origin, key, expected, "'" + value + "'");
            }
          }
          settings.*member = std::move(value);
        } else if constexpr (std::is_same_v<Member, bool>) {
          settings.*member = to_bool(node, origin, key);
        } else if constexpr (std::is_same_v<Member, std::int64_t>) {
          const std::int64_t value = to_integer(node, origin, key);
          if (decl.check_integer) {
            if (std::string expected = decl.check_integer(value); !expected.empty()) {
              fail(origin, key, expected, std::to_string(value));
            }
          }
          settings.*member = value;
        } else {
          settings.*member = to_list(node, origin, key);
        }
      },
      decl.member);
}

std::string env_name(std::string_view key) {
  std::string name = "VCTP_";
  for (char c : key) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

/// An environment value as a YAML node: lists accept YAML flow syntax or comma separation.
YAML::Node env_node(const SettingDeclaration& decl, const std::string& value, const Origin& origin) {
  if (decl.spec.type != SettingType::kStringList) return YAML::Node(value);
  const auto first = value.find_first_not_of(" \t");
  if (first != std::string::npos && value[first] == '[') {
    try {
      return YAML::Load(value);
    } catch (const YAML::Exception& e) {
      throw SettingsError(where(origin, decl.spec.key) + ": expected a list such as [a, b], got '" +
                          value + "' (" + e.msg + ")");
    }
  }
  YAML::Node list(YAML::NodeType::Sequence);
  std::stringstream in(value);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) list.push_back(item);
  }
  return list;
}

LoadedSettings parse_root(const YAML::Node& root, const std::string& source, EnvironmentLookup env) {
  LoadedSettings loaded;
  loaded.source = source;
  loaded.settings = Settings::defaults();

  if (!root.IsMap() || !root["settings"]) {
    throw SettingsError(source + ": expected a mapping with a top-level 'settings:' key");
  }
  const YAML::Node settings_node = root["settings"];
  if (!settings_node.IsMap()) {
    throw SettingsError(source + ": key 'settings' (line " +
                        std::to_string(settings_node.Mark().line + 1) +
                        "): expected a mapping of setting keys, got " + describe_node(settings_node));
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string top = it->first.Scalar();
    if (top != "settings") {
      loaded.warnings.push_back(source + ": top-level key '" + top +
                                "' (line " + std::to_string(it->first.Mark().line + 1) +
                                ") is ignored: every setting belongs under 'settings:'");
    }
  }

  const auto& decls = detail::setting_declarations();
  for (auto it = settings_node.begin(); it != settings_node.end(); ++it) {
    const std::string key = it->first.Scalar();
    const auto decl = std::find_if(decls.begin(), decls.end(),
                                   [&](const SettingDeclaration& d) { return d.spec.key == key; });
    const Origin origin{source, it->first.Mark().line + 1};
    if (decl == decls.end()) {
      std::string warning = where(origin, key) + " is not a vctp setting and is ignored";
      if (const std::string near = nearest_setting_key(key); !near.empty()) {
        warning += "; did you mean '" + near + "'?";
      }
      loaded.warnings.push_back(std::move(warning));
      continue;
    }
    assign(loaded.settings, *decl, it->second, origin);
  }

  for (const auto& decl : decls) {
    const std::string name = env_name(decl.spec.key);
    if (const auto value = env(name)) {
      const Origin origin{"environment variable " + name, 0};
      assign(loaded.settings, decl, env_node(decl, *value, origin), origin);
    }
  }
  return loaded;
}

}  // namespace

Settings Settings::defaults() {
  Settings settings;
  for (const auto& decl : detail::setting_declarations()) {
    assign(settings, decl, YAML::Load(std::string(decl.spec.default_yaml)),
           Origin{"built-in defaults", 0});
  }
  return settings;
}

std::optional<std::string> real_environment(const std::string& name) {
  if (const char* value = std::getenv(name.c_str())) return std::string(value);
  return std::nullopt;
}

LoadedSettings parse_settings(const std::string& yaml_text, const std::string& source,
                              EnvironmentLookup env) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw SettingsError(source + " (line " + std::to_string(e.mark.line + 1) + ", column " +
                        std::to_string(e.mark.column + 1) + "): malformed YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw SettingsError(source + ": malformed YAML: " + e.msg);
  }
  return parse_root(root, source, env);
}

LoadedSettings load_settings(const std::filesystem::path& path, EnvironmentLookup env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw SettingsError(path.string() + ": cannot read the settings file (" +
                        (std::filesystem::exists(path) ? "permission denied" : "no such file") +
                        "); pass another with -settings PATH");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_settings(text.str(), path.string(), env);
}

namespace {

/// The value of one setting as YAML, with secrets masked.
YAML::Node masked_node(const Settings& settings, const SettingDeclaration& decl) {
  return std::visit(
      [&](auto member) -> YAML::Node {
        using Member = std::remove_cvref_t<decltype(settings.*member)>;
        const auto& v = settings.*member;
        if constexpr (std::is_same_v<Member, std::string>) {
          if (decl.spec.secret) return YAML::Node(mask_secret(v));
          if (decl.spec.key == "database_url" || decl.spec.key == "nats_url") {
            return YAML::Node(mask_url_password(v));
          }
          return YAML::Node(v);
        } else if constexpr (std::is_same_v<Member, bool>) {
          return YAML::Node(v ? "true" : "false");
        } else if constexpr (std::is_same_v<Member, std::int64_t>) {
          return YAML::Node(std::to_string(v));
        } else {
          YAML::Node list(YAML::NodeType::Sequence);
          for (const auto& item : v) list.push_back(decl.spec.secret ? std::string("****") : item);
          return list;
        }
      },
      decl.member);
}

}  // namespace

std::map<std::string, std::string> masked_settings(const Settings& settings) {
  std::map<std::string, std::string> out;
  for (const auto& decl : detail::setting_declarations()) {
    const YAML::Node node = masked_node(settings, decl);
    if (node.IsScalar()) {
      out[std::string(decl.spec.key)] = node.Scalar();
    } else {
      YAML::Emitter e;
      e << YAML::Flow << node;
      out[std::string(decl.spec.key)] = e.c_str();
    }
  }
  return out;
}

std::string describe_settings(const Settings& settings) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "settings" << YAML::Value << YAML::BeginMap;
  for (const auto& decl : detail::setting_declarations()) {
    out << YAML::Key << std::string(decl.spec.key) << YAML::Value;
    const YAML::Node node = masked_node(settings, decl);
    if (node.IsSequence()) out << YAML::Flow;
    out << node;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace vctp::core

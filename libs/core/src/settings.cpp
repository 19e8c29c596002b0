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

double to_price(const YAML::Node& node, const Origin& origin, const std::string& key) {
  if (!node.IsScalar()) fail(origin, key, "a price (a number >= 0)", describe_node(node));
  double value = 0;
  const std::string& s = node.Scalar();
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !(value >= 0)) {
    fail(origin, key, "a price (a number >= 0)", "'" + s + "'");
  }
  return value;
}

Rates to_rates(const YAML::Node& node, const Origin& origin, const std::string& key) {
  if (!node.IsMap()) fail(origin, key, "a mapping of prices", describe_node(node));
  Rates rates;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string name = it->first.Scalar();
    const Origin at{origin.source, it->first.Mark().line + 1};
    const std::string full = key + "." + name;
    if (name == "vcpu_hour") rates.vcpu_hour = to_price(it->second, at, full);
    else if (name == "ram_gb_hour") rates.ram_gb_hour = to_price(it->second, at, full);
    else if (name == "disk_gb_month") rates.disk_gb_month = to_price(it->second, at, full);
    else if (name == "node_hour") rates.node_hour = to_price(it->second, at, full);
    else fail(at, full, "one of vcpu_hour, ram_gb_hour, disk_gb_month, node_hour", "'" + name + "'");
  }
  return rates;
}

std::optional<RateCard> to_rate_card(const YAML::Node& node, const Origin& origin, std::string_view key) {
  if (node.IsNull()) return std::nullopt;
  if (!node.IsMap()) fail(origin, key, "a mapping (currency, vcpu_hour, ...)", describe_node(node));
  if (node.size() == 0) return std::nullopt;
  RateCard card;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string name = it->first.Scalar();
    const Origin at{origin.source, it->first.Mark().line + 1};
    const std::string full = std::string(key) + "." + name;
    if (name == "currency") {
      const std::string currency = to_string(it->second, at, full);
      const bool iso = currency.size() == 3 &&
                       std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
      if (!iso) fail(at, full, "an ISO 4217 currency code such as EUR or USD", "'" + currency + "'");
      card.currency = currency;
    } else if (name == "vcpu_hour") {
      card.vcpu_hour = to_price(it->second, at, full);
    } else if (name == "ram_gb_hour") {
      card.ram_gb_hour = to_price(it->second, at, full);
    } else if (name == "disk_gb_month") {
      card.disk_gb_month = to_price(it->second, at, full);
    } else if (name == "node_hour") {
      card.node_hour = to_price(it->second, at, full);
    } else if (name == "tenants" || name == "pools") {
      if (!it->second.IsMap()) fail(at, full, "a mapping of names to prices", describe_node(it->second));
      auto& target = name == "tenants" ? card.tenants : card.pools;
      for (auto entry = it->second.begin(); entry != it->second.end(); ++entry) {
        const Origin entry_at{origin.source, entry->first.Mark().line + 1};
        target[entry->first.Scalar()] = to_rates(entry->second, entry_at, full + "." + entry->first.Scalar());
      }
    } else {
      fail(at, full, "one of currency, vcpu_hour, ram_gb_hour, disk_gb_month, node_hour, tenants, pools",
           "'" + name + "'");
    }
  }
  if (card.currency.empty()) fail(origin, key, "a currency (rates.currency) in a rate card", "none");
  return card;
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
        } else if constexpr (std::is_same_v<Member, std::vector<std::string>>) {
          auto values = to_list(node, origin, key);
          if (decl.check_string) {  // a list's check applies to each of its entries
            for (const auto& value : values) {
              if (std::string expected = decl.check_string(value); !expected.empty()) {
                fail(origin, key, expected, "'" + value + "'");
              }
            }
          }
          settings.*member = std::move(values);
        } else {
          settings.*member = to_rate_card(node, origin, key);
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
  if (decl.spec.type == SettingType::kRateCard) {
    try {
      return YAML::Load(value);
    } catch (const YAML::Exception& e) {
      throw SettingsError(where(origin, decl.spec.key) + ": expected a YAML mapping, got '" + value + "' (" +
                          e.msg + ")");
    }
  }
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

Rates RateCard::effective(const std::string& tenant, const std::string& pool) const {
  Rates r{vcpu_hour, ram_gb_hour, disk_gb_month, node_hour};
  const auto apply = [&r](const Rates& o) {
    if (o.vcpu_hour) r.vcpu_hour = o.vcpu_hour;
    if (o.ram_gb_hour) r.ram_gb_hour = o.ram_gb_hour;
    if (o.disk_gb_month) r.disk_gb_month = o.disk_gb_month;
    if (o.node_hour) r.node_hour = o.node_hour;
  };
  if (const auto t = tenants.find(tenant); t != tenants.end()) apply(t->second);
  if (const auto p = pools.find(pool); p != pools.end()) apply(p->second);
  return r;
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
        } else if constexpr (std::is_same_v<Member, std::vector<std::string>>) {
          YAML::Node list(YAML::NodeType::Sequence);
          for (const auto& item : v) list.push_back(decl.spec.secret ? std::string("****") : item);
          return list;
        } else {
          YAML::Node card(YAML::NodeType::Map);
          if (!v) return card;
          const auto prices = [](const Rates& r) {
            YAML::Node n(YAML::NodeType::Map);
            if (r.vcpu_hour) n["vcpu_hour"] = *r.vcpu_hour;
            if (r.ram_gb_hour) n["ram_gb_hour"] = *r.ram_gb_hour;
            if (r.disk_gb_month) n["disk_gb_month"] = *r.disk_gb_month;
            if (r.node_hour) n["node_hour"] = *r.node_hour;
            return n;
          };
          card["currency"] = v->currency;
          card["vcpu_hour"] = v->vcpu_hour;
          card["ram_gb_hour"] = v->ram_gb_hour;
          card["disk_gb_month"] = v->disk_gb_month;
          card["node_hour"] = v->node_hour;
          for (const auto& [name, r] : v->tenants) card["tenants"][name] = prices(r);
          for (const auto& [name, r] : v->pools) card["pools"][name] = prices(r);
          return card;
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
    if (node.IsSequence() || (node.IsMap() && node.size() == 0)) out << YAML::Flow;
    out << node;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace vctp::core

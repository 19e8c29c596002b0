#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vctp::core {

/// Prices per unit of use; an unset price falls back to the card's default.
struct Rates {
  std::optional<double> vcpu_hour;
  std::optional<double> ram_gb_hour;
  std::optional<double> disk_gb_month;
  std::optional<double> node_hour;
};

/// The optional rate card (`rates:`): default prices in one currency, with per-tenant and
/// per-resource-pool overrides (a pool override wins over a tenant override).
struct RateCard {
  std::string currency;
  double vcpu_hour = 0;
  double ram_gb_hour = 0;
  double disk_gb_month = 0;
  double node_hour = 0;
  std::map<std::string, Rates> tenants;
  std::map<std::string, Rates> pools;

  /// The effective prices for a VM of `tenant` in resource pool `pool`.
  Rates effective(const std::string& tenant, const std::string& pool) const;
};

/// The effective settings of a vctp service: one YAML file (every key under `settings:`),
/// overridden per key by `VCTP_<KEY>` environment variables. Every key is declared once, in
/// settings_schema.cpp, with its type, default, validation and description.
struct Settings {
  std::string log_level;
  std::string log_output;
  std::string database_driver;
  std::string database_url;
  std::string bind_ip;
  std::int64_t bind_port = 0;
  bool bind_disable_tls = false;
  std::int64_t bind_max_connections = 0;
  std::int64_t bind_probe_connections = 0;
  std::string tls_cert_filename;
  std::string tls_key_filename;
  std::string vcenter_username;
  std::string vcenter_password;
  std::string vcenter_password_file;
  bool vcenter_insecure = false;
  std::int64_t vcenter_event_polling_seconds = 0;
  std::int64_t vcenter_inventory_polling_seconds = 0;
  std::int64_t vcenter_inventory_snapshot_seconds = 0;
  std::int64_t vcenter_inventory_aggregate_seconds = 0;
  std::vector<std::string> vcenter_addresses;
  std::int64_t hourly_snapshot_concurrency = 0;
  std::int64_t hourly_snapshot_max_age_days = 0;
  std::int64_t daily_snapshot_max_age_months = 0;
  std::string snapshot_cleanup_cron;
  std::string reports_dir;
  std::vector<std::string> tenants_to_filter;
  std::vector<std::string> node_charge_clusters;
  std::vector<std::string> srm_activeactive_vms;
  std::int64_t tenant_folder_level = 0;
  std::string nats_url;
  std::string nats_user;
  std::string nats_password;
  std::string nats_token;
  std::string nats_creds_file;
  std::string nats_tls_ca;
  std::int64_t nats_stream_replicas = 1;
  std::int64_t collector_metrics_port = 0;
  std::int64_t aggregator_metrics_port = 0;
  std::int64_t reporter_metrics_port = 0;
  std::string metrics_bind_ip;
  std::vector<std::string> api_tokens;
  bool api_auth_reads = false;
  std::optional<RateCard> rates;

  /// Settings holding every declared default.
  static Settings defaults();
};

/// A settings file or override that cannot be used. The message names the file (or the
/// environment variable), the key, the line where known, and what was expected.
class SettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What loading produced besides the settings: warnings about unknown keys and the like.
struct LoadedSettings {
  Settings settings;
  std::vector<std::string> warnings;
  std::filesystem::path source;
};

/// Where environment overrides come from; the real environment by default.
using EnvironmentLookup = std::optional<std::string> (*)(const std::string& name);
std::optional<std::string> real_environment(const std::string& name);

/// Reads, overrides and validates the settings file at `path`. Throws SettingsError.
LoadedSettings load_settings(const std::filesystem::path& path,
                             EnvironmentLookup env = &real_environment);

/// Parses settings from YAML text (`source` names it in messages). Throws SettingsError.
LoadedSettings parse_settings(const std::string& yaml_text, const std::string& source,
                              EnvironmentLookup env = &real_environment);

/// The effective settings as YAML, every secret masked: for --check-settings and start-up logs.
std::string describe_settings(const Settings& settings);

/// The effective settings as flat key/value pairs, every secret masked.
std::map<std::string, std::string> masked_settings(const Settings& settings);

}  // namespace vctp::core

#include "vctp/core/settings_schema.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <limits>
#include <sstream>

#include "settings_declarations.hpp"
#include "vctp/core/cron.hpp"

namespace vctp::core {
namespace detail {
namespace {

std::string check_log_level(const std::string& v) {
  for (const char* ok : {"trace", "debug", "info", "warn", "warning", "error"}) {
    if (v == ok) return "";
  }
  return "one of trace, debug, info, warn, error";
}

std::string check_log_output(const std::string& v) {
  return (v == "text" || v == "json") ? "" : "one of text, json";
}

std::string check_driver(const std::string& v) {
  return (v == "sqlite" || v == "postgres") ? "" : "one of sqlite, postgres";
}

std::string check_not_empty(const std::string& v) {
  return v.empty() ? "a non-empty value" : "";
}

std::string check_cron(const std::string& v) {
  try {
    CronExpression::parse(v);
    return "";
  } catch (const CronError& e) {
    return std::string("a 5-field cron expression (") + e.what() + ")";
  }
}

std::string check_nats_url(const std::string& v) {
  if (v.empty()) return "one or more nats:// or tls:// URLs, comma-separated";
  std::stringstream in(v);
  std::string url;
  while (std::getline(in, url, ',')) {
    url.erase(0, url.find_first_not_of(' '));
    if (url.rfind("nats://", 0) != 0 && url.rfind("tls://", 0) != 0) {
      return "one or more nats:// or tls:// URLs, comma-separated";
    }
  }
  return "";
}

std::string check_ip(const std::string& v) {
  unsigned char buf[sizeof(in6_addr)];
  if (::inet_pton(AF_INET, v.c_str(), buf) == 1 || ::inet_pton(AF_INET6, v.c_str(), buf) == 1) return "";
  return "an IPv4 or IPv6 address such as 0.0.0.0, 127.0.0.1 or ::";
}

std::string check_sdk_url(const std::string& v) {
  constexpr const char* kExpected = "a vCenter SDK URL such as https://vc1.example.com/sdk";
  const auto scheme = v.find("://");
  if (scheme == std::string::npos) return kExpected;
  const std::string protocol = v.substr(0, scheme);
  if (protocol != "https" && protocol != "http") return kExpected;
  const auto host_end = v.find_first_of("/?#", scheme + 3);
  const std::string authority = v.substr(scheme + 3, host_end == std::string::npos ? std::string::npos : host_end - scheme - 3);
  if (authority.empty() || authority.front() == ':' || authority.find_first_of(" \t@") != std::string::npos) return kExpected;
  return "";
}

std::string check_port(std::int64_t v) {
  return (v >= 0 && v <= 65535) ? "" : "a TCP port between 1 and 65535 (0: any free port, logged when bound)";
}

std::string check_non_negative(std::int64_t v) { return v >= 0 ? "" : "an integer >= 0"; }

std::string check_positive(std::int64_t v) { return v > 0 ? "" : "an integer > 0"; }
std::string check_connections(std::int64_t v) {
  return v >= 2 && v <= 1000000 ? "" : "an integer from 2 to 1000000";
}
std::string check_stream_replicas(std::int64_t v) { return v >= 1 && v <= 5 ? "" : "an integer from 1 to 5"; }

std::string check_snapshot_cadence(std::int64_t v) {
  return (v >= 60 && v <= 86400) ? "" : "a number of seconds between 60 and 86400";
}

std::string check_folder_level(std::int64_t v) {
  return (v >= 1 && v <= 16) ? "" : "a folder depth between 1 and 16";
}

using T = SettingType;

/// Logging.
std::vector<SettingDeclaration> logging_declarations() {
  return {
      {{"log_level", T::kString, "info", "Log verbosity: trace, debug, info, warn or error.", false},
       &Settings::log_level, check_log_level},
      {{"log_output", T::kString, "text", "Log format: text (for people) or json (one object a line).", false},
       &Settings::log_output, check_log_output},
  };
}

/// The database.
std::vector<SettingDeclaration> database_declarations() {
  return {
      {{"database_driver", T::kString, "sqlite", "Database backend: sqlite or postgres.", false},
       &Settings::database_driver, check_driver},
      {{"database_url", T::kString, "./db.sqlite3",
        "SQLite path or file: URI, or postgres://user:pass@host:5432/db?sslmode=... DSN.", false},
       &Settings::database_url, check_not_empty},
  };
}

/// The gateway's listener and its TLS files.
std::vector<SettingDeclaration> gateway_listener_declarations() {
  return {
      {{"bind_ip", T::kString, "0.0.0.0", "Address the gateway listens on.", false},
       &Settings::bind_ip, check_ip},
      {{"bind_port", T::kInteger, "9443", "Port of the gateway (REST API, web UI and its /metrics); 0 binds any free port and logs it.", false},
       &Settings::bind_port, nullptr, check_port},
      {{"bind_disable_tls", T::kBool, "false", "Serve plain HTTP instead of HTTPS.", false},
       &Settings::bind_disable_tls},
      {{"bind_max_connections", T::kInteger, "1024",
        "Connections the gateway keeps open at once, bind_probe_connections included; more are closed when "
        "accepted. The open-file limit is raised to fit at start-up (a warning when the hard limit is lower).",
        false},
       &Settings::bind_max_connections, nullptr, check_connections},
      {{"bind_probe_connections", T::kInteger, "64",
        "Of bind_max_connections, connections kept for /api/health, /api/ready, /healthz and /readyz: they "
        "answer while clients (slow or not) hold all the others; lower than bind_max_connections.",
        false},
       &Settings::bind_probe_connections, nullptr, check_non_negative},
      {{"tls_cert_filename", T::kString, "/etc/dtms/vctp.crt",
        "Gateway certificate (PEM); a self-signed one is generated here when absent.", false},
       &Settings::tls_cert_filename, check_not_empty},
      {{"tls_key_filename", T::kString, "/etc/dtms/vctp.key",
        "Gateway private key (PEM); generated with mode 0600 when absent.", false},
       &Settings::tls_key_filename, check_not_empty},
  };
}

/// The vCenters and how often they are polled.
std::vector<SettingDeclaration> vcenter_declarations() {
  return {
      {{"vcenter_username", T::kString, "\"\"", "User for every vCenter in vcenter_addresses.", false},
       &Settings::vcenter_username},
      {{"vcenter_password", T::kString, "\"\"",
        "Password for the vCenters; a plaintext value is encrypted in place at start-up.", true},
       &Settings::vcenter_password},
      {{"vcenter_password_file", T::kString, "\"\"",
        "File holding the vCenter password (a mounted secret); overrides vcenter_password.", false},
       &Settings::vcenter_password_file},
      {{"vcenter_insecure", T::kBool, "false", "Skip vCenter certificate and host name verification.", false},
       &Settings::vcenter_insecure},
      {{"vcenter_event_polling_seconds", T::kInteger, "60",
        "How often lifecycle events are read from each vCenter; 0 disables.", false},
       &Settings::vcenter_event_polling_seconds, nullptr, check_non_negative},
      {{"vcenter_inventory_polling_seconds", T::kInteger, "900",
        "How often the inventory table is refreshed; 0 disables.", false},
       &Settings::vcenter_inventory_polling_seconds, nullptr, check_non_negative},
      {{"vcenter_inventory_snapshot_seconds", T::kInteger, "3600",
        "Cadence of inventory snapshots, aligned to the hour.", false},
       &Settings::vcenter_inventory_snapshot_seconds, nullptr, check_snapshot_cadence},
      {{"vcenter_inventory_aggregate_seconds", T::kInteger, "86400",
        "How often the aggregator catches up on closed periods without a summary.", false},
       &Settings::vcenter_inventory_aggregate_seconds, nullptr, check_positive},
      {{"vcenter_addresses", T::kStringList, "[]", "SDK URLs of the vCenters, e.g. https://vc1.example.com/sdk.", false},
       &Settings::vcenter_addresses, check_sdk_url},
  };
}

/// Hourly snapshots and the retention of snapshots and summaries.
std::vector<SettingDeclaration> snapshot_declarations() {
  return {
      {{"hourly_snapshot_concurrency", T::kInteger, "0",
        "At most this many vCenters are snapshotted at once; 0 = unlimited.", false},
       &Settings::hourly_snapshot_concurrency, nullptr, check_non_negative},
      {{"hourly_snapshot_max_age_days", T::kInteger, "60", "Hourly tables older than this are dropped.", false},
       &Settings::hourly_snapshot_max_age_days, nullptr, check_positive},
      {{"daily_snapshot_max_age_months", T::kInteger, "12", "Daily summary tables older than this are dropped.", false},
       &Settings::daily_snapshot_max_age_months, nullptr, check_positive},
      {{"snapshot_cleanup_cron", T::kString, "\"0 3 * * *\"", "When retention runs (5-field cron, UTC).", false},
       &Settings::snapshot_cleanup_cron, check_cron},
  };
}

/// Reports and who or what is charged.
std::vector<SettingDeclaration> report_declarations() {
  return {
      {{"reports_dir", T::kString, "/var/lib/vctp/reports", "Where XLSX reports are written.", false},
       &Settings::reports_dir, check_not_empty},
      {{"tenants_to_filter", T::kStringList, "[]",
        "Tenants left out of summaries and reports (case-insensitive globs).", false},
       &Settings::tenants_to_filter},
      {{"node_charge_clusters", T::kStringList, "[]",
        "Clusters charged per host node instead of per VM (globs).", false},
       &Settings::node_charge_clusters},
      {{"srm_activeactive_vms", T::kStringList, "[]",
        "SRM placeholder VMs that are charged all the same (active/active pairs; globs).", false},
       &Settings::srm_activeactive_vms},
      {{"tenant_folder_level", T::kInteger, "1",
        "Which folder under the datacenter's VM folder names the tenant (1 = the first).", false},
       &Settings::tenant_folder_level, nullptr, check_folder_level},
  };
}

/// The NATS connection and the JetStream stream.
std::vector<SettingDeclaration> nats_declarations() {
  return {
      {{"nats_url", T::kString, "nats://127.0.0.1:4222", "NATS server URL(s), comma-separated for a cluster.", false},
       &Settings::nats_url, check_nats_url},
      {{"nats_user", T::kString, "\"\"", "NATS user name.", false}, &Settings::nats_user},
      {{"nats_password", T::kString, "\"\"", "NATS password.", true}, &Settings::nats_password},
      {{"nats_token", T::kString, "\"\"", "NATS authentication token.", true}, &Settings::nats_token},
      {{"nats_creds_file", T::kString, "\"\"", "NATS credentials file (JWT and NKey).", false},
       &Settings::nats_creds_file},
      {{"nats_tls_ca", T::kString, "\"\"", "CA certificate (PEM) to verify a tls:// NATS server.", false},
       &Settings::nats_tls_ca},
      {{"nats_stream_replicas", T::kInteger, "1",
        "Replicas of the JetStream stream (3 on a 3-node NATS cluster; at most 5).", false},
       &Settings::nats_stream_replicas, nullptr, check_stream_replicas},
  };
}

/// The services' metrics and health address and ports.
std::vector<SettingDeclaration> metrics_port_declarations() {
  return {
      {{"metrics_bind_ip", T::kString, "0.0.0.0", "Address the collector, aggregator and reporter serve /metrics, /healthz and /readyz on (127.0.0.1: this host only).", false},
       &Settings::metrics_bind_ip, check_ip},
      {{"collector_metrics_port", T::kInteger, "9101", "Port of the collector's /metrics, /healthz and /readyz; 0 binds any free port and logs it.", false},
       &Settings::collector_metrics_port, nullptr, check_port},
      {{"aggregator_metrics_port", T::kInteger, "9102", "Port of the aggregator's /metrics, /healthz and /readyz; 0 binds any free port and logs it.", false},
       &Settings::aggregator_metrics_port, nullptr, check_port},
      {{"reporter_metrics_port", T::kInteger, "9103", "Port of the reporter's /metrics, /healthz and /readyz; 0 binds any free port and logs it.", false},
       &Settings::reporter_metrics_port, nullptr, check_port},
  };
}

/// The gateway's bearer tokens.
std::vector<SettingDeclaration> gateway_auth_declarations() {
  return {
      {{"api_tokens", T::kStringList, "[]",
        "SHA-256 hashes (hex) of the gateway's bearer tokens (vctp-gateway --hash-token).", true},
       &Settings::api_tokens},
      {{"api_auth_reads", T::kBool, "false", "Require a bearer token for read requests too.", false},
       &Settings::api_auth_reads},
  };
}

/// The rate card.
std::vector<SettingDeclaration> rate_card_declarations() {
  return {
      {{"rates", T::kRateCard, "{}",
        "Optional rate card: currency, vcpu_hour, ram_gb_hour, disk_gb_month, node_hour, and "
        "per-tenant (tenants:) or per-pool (pools:) overrides of those prices; {} = no costs.",
        false},
       &Settings::rates},
  };
}

}  // namespace

const std::vector<SettingDeclaration>& setting_declarations() {
  static const std::vector<SettingDeclaration> kDeclarations = [] {
    std::vector<SettingDeclaration> all;
    for (auto group : {&logging_declarations, &database_declarations, &gateway_listener_declarations,
                       &vcenter_declarations, &snapshot_declarations, &report_declarations, &nats_declarations,
                       &metrics_port_declarations, &gateway_auth_declarations, &rate_card_declarations}) {
      std::vector<SettingDeclaration> declarations = group();
      all.insert(all.end(), declarations.begin(), declarations.end());
    }
    return all;
  }();
  return kDeclarations;
}

}  // namespace detail

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> kSpecs = [] {
    std::vector<SettingSpec> specs;
    for (const auto& d : detail::setting_declarations()) specs.push_back(d.spec);
    return specs;
  }();
  return kSpecs;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string nearest_setting_key(std::string_view key) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& spec : setting_specs()) {
    const std::size_t d = edit_distance(key, spec.key);
    if (d < best_distance) {
      best_distance = d;
      best = spec.key;
    }
  }
  // Only suggest something plausibly meant: within a third of the key's length.
  if (best_distance > std::max<std::size_t>(3, key.size() / 3)) return "";
  return best;
}

std::string reference_settings_yaml() {
  std::ostringstream out;
  out << "# vctp settings: every key, with its default and what it does.\n"
      << "# Each key can be overridden by the environment variable VCTP_<KEY> (upper case).\n"
      << "settings:\n";
  for (const auto& spec : setting_specs()) {
    out << "  # " << spec.description << "\n";
    out << "  " << spec.key << ": " << spec.default_yaml << "\n";
  }
  return out.str();
}

}  // namespace vctp::core

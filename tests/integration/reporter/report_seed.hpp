#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace vctp::test::reporter {

/// What seed_database wrote, for tests that look for it.
struct Seed {
  std::size_t vms_per_hour = 0;
};

/// Fills a SQLite database with deterministic data for 2026-11: hourly VM snapshots of
/// 2026-11-24T12 and T13 (two vCenters; every seventh VM, of every tenant, in the node-charge
/// cluster "dedicated-01"), host snapshots of every hour of 2026-11-24 but 06:00 (vc1's "dedicated-01"),
/// daily summaries of 2026-11-01..05 and 2026-11-24, and the monthly summary of 2026-11 — summary
/// tables shaped as ARCHITECTURE.md's public columns, each with the aggregator's node-hours
/// companion (summary_daily_nodes_YYYYMMDD, summary_monthly_nodes_YYYYMM), whose node-hours differ
/// from a plain count of host rows. `vms` VMs per vCenter.
Seed seed_database(const std::filesystem::path& sqlite_path, int vms = 150);
/// The same data in any database (`driver` sqlite or postgres).
Seed seed_database(const std::string& driver, const std::string& url, int vms = 150);

/// A settings file for the reporter: that database (`sqlite_path` is the URL for postgres), `reports_dir`, a rate card
/// (EUR, vcpu_hour 0.01, ram_gb_hour 0.005, disk_gb_month 0.1, node_hour 2.5; tenant "finance" vcpu_hour 0.02; pool
/// "gold" ram_gb_hour 0.008), node_charge_clusters [dedicated-*], srm_activeactive_vms [aa-*], tenants_to_filter
/// [scratch*], NATS at `nats_url` (none answers when empty), the metrics on port 0 (the port bound is logged: see
/// logged_port).
std::string reporter_settings(const std::filesystem::path& sqlite_path, const std::filesystem::path& reports_dir,
                              bool with_rates = true, const std::string& nats_url = "",
                              const std::string& driver = "sqlite");

}  // namespace vctp::test::reporter

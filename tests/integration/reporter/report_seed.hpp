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
/// 2026-11-24T12 and T13 (two vCenters), host snapshots of every hour of 2026-11-24 (one
/// node-charge cluster "dedicated-01"), daily summaries of 2026-11-01..05 and 2026-11-24, and the
/// monthly summary of 2026-11 — summary tables shaped as ARCHITECTURE.md's public columns.
/// `vms` VMs per vCenter.
Seed seed_database(const std::filesystem::path& sqlite_path, int vms = 150);

/// A settings file for the reporter: that database, `reports_dir`, a rate card (EUR, vcpu_hour
/// 0.01, ram_gb_hour 0.005, disk_gb_month 0.1, node_hour 2.5; tenant "finance" vcpu_hour 0.02;
/// pool "gold" ram_gb_hour 0.008), node_charge_clusters [dedicated-*], srm_activeactive_vms
/// [aa-*], tenants_to_filter [scratch*], NATS on a closed port.
std::string reporter_settings(const std::filesystem::path& sqlite_path, const std::filesystem::path& reports_dir,
                              bool with_rates = true, const std::string& nats_url = "", int metrics_port = 0);

}  // namespace vctp::test::reporter

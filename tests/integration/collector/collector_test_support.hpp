#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "vcsim_process.hpp"
#include "vctp/store/database.hpp"

namespace vctp::test {

/// The collector binary of this build.
std::string collector_binary();

/// A settings file for the collector in `dir`: SQLite in dir, the given vCenters, no NATS, the
/// metrics on port 0, and `extra` lines appended under settings:.
std::filesystem::path write_collector_settings(const TempDir& dir, const std::vector<std::string>& vcenters,
                                               const std::string& password, const std::string& extra = "");

/// Runs `vctp-collector --once [--at at] -settings settings`; returns status and output.
CommandResult run_collector_once(const std::filesystem::path& settings, const std::string& at = "");

/// Registry rows of a table: vcenter -> status.
std::map<std::string, std::string> registry_status(store::Database& db, const std::string& table);

}  // namespace vctp::test

#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "vctp/store/database.hpp"

namespace vctp::test {

/// What seed_gateway_data wrote, for tests to look for.
struct SeededData {
  std::chrono::year_month_day day;      ///< the last seeded day (the day before `today`)
  std::string day_text;                 ///< YYYY-MM-DD
  std::string month_text;               ///< YYYY-MM of `day`
  std::string vm_name;                  ///< a VM in the inventory with a daily history
  std::string vm_instance_uuid;
  std::vector<std::string> report_files;  ///< listed in the reports table and present on disk
  std::string unlisted_file;            ///< present in reports_dir, not in the reports table
  std::size_t inventory_vms = 0;
};

/// Fills a migrated database as the pipeline would have: hourly registrations of two vCenters
/// (one failed snapshot), the inventory, three daily summary tables (the days before `today`),
/// a monthly summary, and report files in `reports_dir` recorded in the reports table.
SeededData seed_gateway_data(store::Database& db, const std::filesystem::path& reports_dir,
                             std::chrono::system_clock::time_point now);

}  // namespace vctp::test

// Helper processes for the store integration tests:
//   store_helper slow-snapshot DRIVER URL HOUR_ISO VCENTER READY_FILE
//       writes an hourly snapshot of VCENTER row by row, creates READY_FILE once thousands of
//       rows are in the open transaction, then goes on slowly until it is killed.
//   store_helper migrate DRIVER URL GO_FILE
//       waits for GO_FILE, opens the database (applying migrations), prints the schema version.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "vctp/core/logging.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/snapshot_writer.hpp"

using namespace vctp;

namespace {

int slow_snapshot(const std::string& driver, const std::string& url, const std::string& hour,
                  const std::string& vcenter, const std::string& ready_file) {
  auto db = store::open_database(driver, url);
  store::SnapshotWriter writer(*db);
  const auto t = core::parse_iso8601(hour);
  if (!t) {
    std::fprintf(stderr, "bad hour %s\n", hour.c_str());
    return 2;
  }
  const auto table = store::TableName::hourly(*t);
  long n = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  writer.write_vms(table, vcenter, [&](store::HourlyVmRow& row) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "never killed\n");
      std::exit(3);
    }
    ++n;
    row.snapshot_time = *t;
    row.vcenter = vcenter;
    row.vcenter_uuid = "uuid-" + vcenter;
    row.vm_id = "vm-" + std::to_string(n);
    row.instance_uuid = "inst-" + std::to_string(n);
    row.name = "crash-vm-" + std::to_string(n);
    row.vcpu_count = 2;
    row.ram_mb = 4096;
    row.disk_gb = 40;
    row.power_state = "poweredOn";
    if (n == 20000) {
      std::ofstream(ready_file) << n << "\n";
    }
    if (n > 20000) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return true;
  });
  std::fprintf(stderr, "snapshot finished, which it should not\n");
  return 4;
}

int migrate(const std::string& driver, const std::string& url, const std::string& go_file) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!std::filesystem::exists(go_file)) {
    if (std::chrono::steady_clock::now() > deadline) return 3;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  auto db = store::open_database(driver, url);
  std::printf("%d\n", db->schema_version());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  core::init_logging("store-helper", "warn", "text");
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "slow-snapshot" && argc == 7) {
      return slow_snapshot(argv[2], argv[3], argv[4], argv[5], argv[6]);
    }
    if (mode == "migrate" && argc == 5) return migrate(argv[2], argv[3], argv[4]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store-helper %s: %s\n", mode.c_str(), e.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: store_helper slow-snapshot DRIVER URL HOUR VCENTER READY_FILE | "
               "migrate DRIVER URL GO_FILE\n");
  return 2;
}

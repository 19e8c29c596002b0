// Registers hourly snapshots of several vCenters in a vctp database through the store's
// registry, the way the collector registers each one, so that GET /api/snapshots has a
// listing of that many rows to answer.
// Usage: vctp_gateway_bench_seed DRIVER URL ROWS
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "vctp/store/database.hpp"
#include "vctp/store/snapshot_registry.hpp"

int main(int argc, char** argv) {
  using namespace std::chrono;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DRIVER URL ROWS\n", argv[0]);
    return 2;
  }
  try {
    const int rows = std::stoi(argv[3]);
    constexpr int kVcenters = 4;
    auto db = vctp::store::open_database(argv[1], argv[2]);
    vctp::store::SnapshotRegistry registry(*db);
    const auto last_hour = floor<hours>(system_clock::now()) - hours(1);
    db->transact([&](vctp::store::Transaction& tx) {
      for (int i = 0; i < rows; ++i) {
        vctp::store::Registration r{vctp::store::TableName::hourly(last_hour - hours(i / kVcenters)), {}, 0,
                                    vctp::store::SnapshotStatus::kOk, {}, {}};
        r.vcenter = "vc" + std::to_string(i % kVcenters + 1) + ".example.com";
        r.row_count = 2500 + i % 97;
        r.duration = milliseconds(800 + i % 400);
        registry.record(tx, r);
      }
    });
    std::printf("%d\n", rows);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vctp_gateway_bench_seed: %s\n", e.what());
    return 1;
  }
  return 0;
}

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "backend_db.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/snapshot_writer.hpp"

using namespace vctp;
using namespace std::chrono;

namespace {

/// Starts the helper writing a snapshot of `vcenter` at `hour`, waits until it is deep inside
/// the write transaction, and kills it with SIGKILL.
void kill_mid_snapshot(const test::BackendDb& tdb, const std::string& hour,
                       const std::string& vcenter) {
  test::TempDir dir;
  const auto ready = dir / "ready";
  const int pid = test::spawn(
      {VCTP_STORE_HELPER, "slow-snapshot", tdb.driver(), tdb.url(), hour, vcenter, ready.string()});
  const auto deadline = steady_clock::now() + minutes(2);
  while (!std::filesystem::exists(ready) && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  const bool started = std::filesystem::exists(ready);
  ::kill(pid, SIGKILL);
  CHECK(test::wait_child(pid) == 128 + SIGKILL);
  REQUIRE(started);
}

}  // namespace

TEST_CASE("a process killed in the middle of a snapshot write leaves nothing behind") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  { auto db = tdb.open(); }  // migrated before the helper starts

  kill_mid_snapshot(tdb, "2026-11-24T13:00:00Z", "vc-crash");
  auto db = tdb.open();
  CHECK_FALSE(db->table_exists("snap_hourly_2026112413"));
  CHECK(db->query("SELECT COUNT(*) FROM snapshot_registry")[0].get_int(0) == 0);

  // an hour another vCenter already completed keeps exactly that vCenter's rows
  store::SnapshotWriter writer(*db);
  const auto t = *core::parse_iso8601("2026-11-24T14:00:00Z");
  std::vector<store::HourlyVmRow> rows(3);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].snapshot_time = t;
    rows[i].vcenter = "vc-ok";
    rows[i].vcenter_uuid = "uuid-ok";
    rows[i].vm_id = "vm-" + std::to_string(i);
  }
  writer.write_vms(store::TableName::hourly(t), "vc-ok", rows);
  kill_mid_snapshot(tdb, "2026-11-24T14:00:00Z", "vc-crash");
  CHECK(db->query("SELECT COUNT(*) FROM snap_hourly_2026112414")[0].get_int(0) == 3);
  const auto registered = db->query("SELECT vcenter FROM snapshot_registry");
  REQUIRE(registered.size() == 1);
  CHECK(registered[0].get_text(0) == "vc-ok");

  // the retry of the killed snapshot goes through (no lock or half table left in the way)
  for (auto& r : rows) r.vcenter = "vc-crash";
  CHECK(writer.write_vms(store::TableName::hourly(t), "vc-crash", rows).rows == 3);
  CHECK(db->query("SELECT COUNT(*) FROM snap_hourly_2026112414")[0].get_int(0) == 6);
}

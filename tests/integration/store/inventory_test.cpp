#include <catch2/catch.hpp>

#include "backend_db.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/inventory.hpp"

using namespace vctp;
using namespace std::chrono;

namespace {
system_clock::time_point at(const char* iso) { return *core::parse_iso8601(iso); }
}  // namespace

TEST_CASE("inventory keeps the last-known state of every VM ever seen") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::InventoryRecord r;
  r.vcenter = "vc-a";
  r.vcenter_uuid = "uuid-a";
  r.vm_id = "vm-1";
  r.instance_uuid = "inst-1";
  r.name = "web01";
  r.vcpu_count = 2;
  r.ram_mb = 4096;
  r.disk_gb = 50.25;
  r.power_state = "poweredOn";
  r.srm_placeholder = true;
  r.creation_time = at("2026-01-01T10:00:00Z");
  r.first_seen = at("2026-11-24T10:00:00Z");
  r.last_seen = at("2026-11-24T10:00:00Z");
  db->transact([&](store::Transaction& tx) { store::upsert_inventory(tx, {r}); });

  auto later = r;
  later.vcpu_count = 4;
  later.creation_time.reset();  // not known this time: keep the earlier one
  later.first_seen = at("2026-11-24T11:00:00Z");
  later.last_seen = at("2026-11-24T11:00:00Z");
  db->transact([&](store::Transaction& tx) {
    store::upsert_inventory(tx, {later});
    CHECK(store::mark_vm_deleted(tx, "uuid-a", "inst-1", at("2026-11-24T12:00:00Z")));
    CHECK_FALSE(store::mark_vm_deleted(tx, "uuid-a", "unknown", at("2026-11-24T12:00:00Z")));
  });
  const auto rows = db->transact([](store::Transaction& tx) { return store::load_inventory(tx); });
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].vcpu_count == 4);
  CHECK(rows[0].disk_gb == 50.25);
  CHECK(rows[0].srm_placeholder);
  CHECK_FALSE(rows[0].is_template);
  CHECK(rows[0].creation_time == at("2026-01-01T10:00:00Z"));
  CHECK(rows[0].deletion_time == at("2026-11-24T12:00:00Z"));
  CHECK(rows[0].first_seen == at("2026-11-24T10:00:00Z"));
  CHECK(rows[0].last_seen == at("2026-11-24T11:00:00Z"));
}

TEST_CASE("a creation event sets an unknown creation time and never overwrites a known one") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  store::InventoryRecord known;
  known.vcenter = "vc-a";
  known.vcenter_uuid = "uuid-a";
  known.vm_id = "vm-1";
  known.instance_uuid = "inst-1";
  known.creation_time = at("2026-01-01T10:00:00Z");
  known.first_seen = known.last_seen = at("2026-11-24T10:00:00Z");
  auto unknown = known;
  unknown.vm_id = "vm-2";
  unknown.instance_uuid = "inst-2";
  unknown.creation_time.reset();
  db->transact([&](store::Transaction& tx) {
    store::upsert_inventory(tx, {known, unknown});
    CHECK_FALSE(store::mark_vm_created(tx, "uuid-a", "inst-1", at("2026-11-20T08:00:00Z")));
    CHECK(store::mark_vm_created(tx, "uuid-a", "inst-2", at("2026-11-20T08:00:00Z")));
    CHECK_FALSE(store::mark_vm_created(tx, "uuid-a", "unknown", at("2026-11-20T08:00:00Z")));
  });
  const auto rows = db->transact([](store::Transaction& tx) { return store::load_inventory(tx); });
  REQUIRE(rows.size() == 2);
  for (const auto& r : rows) {
    INFO(r.instance_uuid);
    CHECK(r.creation_time == at(r.instance_uuid == "inst-1" ? "2026-01-01T10:00:00Z" : "2026-11-20T08:00:00Z"));
  }
}

TEST_CASE("VM events are stored once, and the reader's checkpoint is kept") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  std::vector<store::VmEvent> events;
  for (int k = 100; k < 105; ++k) {
    events.push_back({"uuid-a", k, "VmCreatedEvent", at("2026-11-24T10:00:00Z") + minutes(k),
                      "vm-" + std::to_string(k), "inst-" + std::to_string(k), "vm" + std::to_string(k)});
  }
  CHECK(db->transact([&](store::Transaction& tx) { return store::insert_vm_events(tx, events); }) == 5);
  events.push_back({"uuid-a", 105, "VmRemovedEvent", at("2026-11-24T12:00:00Z"), "vm-100",
                    std::nullopt, "vm100"});
  CHECK(db->transact([&](store::Transaction& tx) { return store::insert_vm_events(tx, events); }) == 1);
  db->transact([&](store::Transaction& tx) {
    CHECK_FALSE(store::load_event_checkpoint(tx, "uuid-a").has_value());
    store::save_event_checkpoint(tx, {"uuid-a", 105, at("2026-11-24T12:00:00Z")});
    store::save_event_checkpoint(tx, {"uuid-a", 106, at("2026-11-24T12:05:00Z")});
  });
  const auto cp = db->transact([](store::Transaction& tx) {
    return store::load_event_checkpoint(tx, "uuid-a");
  });
  REQUIRE(cp.has_value());
  CHECK(cp->last_event_key == 106);
  CHECK(cp->last_event_time == at("2026-11-24T12:05:00Z"));
}

TEST_CASE("reports are recorded once per file name") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  db->transact([](store::Transaction& tx) {
    store::record_report(tx, {"daily", "2026-11-24", "daily-2026-11-24.xlsx", 1000,
                              *core::parse_iso8601("2026-11-25T01:00:00Z")});
    store::record_report(tx, {"daily", "2026-11-24", "daily-2026-11-24.xlsx", 1200,
                              *core::parse_iso8601("2026-11-25T02:00:00Z")});
  });
  const auto rows = db->query("SELECT file_name, bytes, created_at FROM reports");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].get_int("bytes") == 1200);
  CHECK(rows[0].get_text("created_at") == "2026-11-25T02:00:00Z");
}

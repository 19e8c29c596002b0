#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>

#include "test_support.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/inventory.hpp"
#include "vctp/vsphere/events.hpp"

using namespace vctp;

namespace {

std::chrono::system_clock::time_point at(const char* iso) { return *core::parse_iso8601(iso); }

store::InventoryRecord vm(const std::string& vcenter_uuid, const std::string& vm_id, const std::string& instance_uuid,
                          const char* last_seen) {
  store::InventoryRecord r;
  r.vcenter = vcenter_uuid;
  r.vcenter_uuid = vcenter_uuid;
  r.vm_id = vm_id;
  r.instance_uuid = instance_uuid;
  r.name = instance_uuid;
  r.first_seen = at("2026-11-24T09:00:00Z");
  r.last_seen = at(last_seen);
  return r;
}

}  // namespace

TEST_CASE("collector store: events stored before their VM was seen get its instance UUID later", "[collector]") {
  test::TempDir dir;
  auto db = store::open_database("sqlite", (dir / "db.sqlite3").string());
  db->transact([](store::Transaction& tx) {
    store::insert_vm_events(
        tx, {{"vc-a", 1, "VmCreatedEvent", at("2026-11-24T10:05:00Z"), "vm-1", std::nullopt, "web01"},
             {"vc-a", 2, "VmPoweredOnEvent", at("2026-11-24T10:06:00Z"), "vm-1", std::nullopt, "web01"},
             {"vc-a", 3, "VmCreatedEvent", at("2026-11-24T10:07:00Z"), "vm-2", std::string("known"), "db01"},
             {"vc-a", 4, "VmCreatedEvent", at("2026-11-24T10:08:00Z"), "vm-3", std::nullopt, "never-seen"},
             {"vc-b", 5, "VmCreatedEvent", at("2026-11-24T10:09:00Z"), "vm-1", std::nullopt, "other-vcenter"}});
    store::upsert_inventory(tx, {vm("vc-a", "vm-1", "inst-old", "2026-11-24T09:30:00Z"),  // an earlier VM of that moref
                                 vm("vc-a", "vm-1", "inst-1", "2026-11-24T10:15:00Z"),
                                 vm("vc-a", "vm-2", "inst-2", "2026-11-24T10:15:00Z")});
  });

  db->transact([](store::Transaction& tx) {
    CHECK(store::resolve_event_instance_uuids(tx, "vc-a") == 2);
    CHECK(store::resolve_event_instance_uuids(tx, "vc-a") == 0);
    CHECK(store::apply_creation_events(tx, "vc-a", {"VmCreatedEvent", "VmClonedEvent"}) == 1);
    CHECK(store::apply_creation_events(tx, "vc-a", {"VmCreatedEvent", "VmClonedEvent"}) == 0);
  });

  std::map<std::int64_t, std::optional<std::string>> uuid_of_event;
  for (const auto& row : db->query("SELECT event_key, instance_uuid FROM vm_events")) {
    uuid_of_event[row.get_int("event_key")] =
        row.is_null("instance_uuid") ? std::nullopt : std::optional(row.get_text("instance_uuid"));
  }
  CHECK(uuid_of_event.at(1) == "inst-1");  // the VM seen last under that moref
  CHECK(uuid_of_event.at(2) == "inst-1");
  CHECK(uuid_of_event.at(3) == "known");   // resolved already: left alone
  CHECK_FALSE(uuid_of_event.at(4));        // never seen
  CHECK_FALSE(uuid_of_event.at(5));        // another vCenter's vm-1

  const auto inventory = db->transact([](store::Transaction& tx) { return store::load_inventory(tx, "vc-a"); });
  std::map<std::string, std::optional<std::chrono::system_clock::time_point>> created;
  for (const auto& r : inventory) created[r.instance_uuid] = r.creation_time;
  CHECK(created.at("inst-1") == at("2026-11-24T10:05:00Z"));
  CHECK_FALSE(created.at("inst-2"));  // its only event names another instance UUID
  CHECK_FALSE(created.at("inst-old"));
}

TEST_CASE("collector: every creation event the store goes by is asked of vCenter", "[collector]") {
  const auto& asked = vsphere::lifecycle_event_types();
  for (const auto& type : store::creation_event_types()) {
    INFO(type);
    CHECK(std::find(asked.begin(), asked.end(), type) != asked.end());
  }
  CHECK(std::find(asked.begin(), asked.end(), "VmDiscoveredEvent") != asked.end());
}

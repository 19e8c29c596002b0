#include "fleet_generator.hpp"

#include <string>
#include <vector>

#include "day_fixture.hpp"
#include "vctp/store/inventory.hpp"
#include "vctp/store/snapshot_writer.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::test {

namespace {

using namespace std::chrono;
using TimePoint = system_clock::time_point;

struct Lifecycle {
  std::optional<TimePoint> created;
  std::optional<TimePoint> deleted;
};

Lifecycle lifecycle(int i, const FleetOptions& o) {
  Lifecycle l;
  const auto day = TimePoint(o.first_day) + days((i * 7) % o.days);
  if (i % 50 == 1) l.created = day + hours(10) + minutes(30);
  if (i % 50 == 2) l.deleted = day + hours(15) + minutes(15);
  return l;
}

std::string vcenter_of(int i) { return i % 2 == 0 ? "vc1" : "vc2"; }

store::HourlyVmRow row(int i, TimePoint t, const FleetOptions& o) {
  const int hour_index = static_cast<int>(duration_cast<hours>(t - TimePoint(o.first_day)).count());
  store::HourlyVmRow r;
  r.snapshot_time = t;
  r.vcenter = vcenter_of(i);
  r.vcenter_uuid = r.vcenter + "-uuid";
  r.vm_id = "vm-" + std::to_string(i);
  r.instance_uuid = "iu-" + std::to_string(i);
  r.bios_uuid = "bu-" + std::to_string(i);
  const bool aa = i % 178 == 0;
  r.srm_placeholder = i % 89 == 0;
  r.name = (r.srm_placeholder ? (aa ? "srm-aa-" : "srm-ph-") : "vm-") + std::to_string(i);
  r.datacenter = "dc" + std::to_string(i % 2);
  r.cluster = i % 10 == 0 ? "gpu-a" : "cl-" + std::to_string(i % 5);
  r.host = "host-" + std::to_string(i % 6);
  r.resource_pool = "pool-" + std::to_string(i % 7 == 0 ? (i + hour_index / 8) % 3 : i % 3);
  r.tenant = i % 20 == 19 ? "Internal-QA" : "tenant-" + std::to_string(i % 20);
  r.folder = r.tenant + "/apps";
  r.vcpu_count = 1 + i % 8;
  if (i % 11 == 0 && hour_index >= (i % (o.days * 24))) r.vcpu_count *= 2;
  r.ram_mb = 1024 * (1 + i % 16);
  r.disk_gb = 10.5 * (1 + i % 30) + (hour_index % 5 == 0 ? 0.25 : 0);
  r.power_state = (i + hour_index) % 13 == 0 ? "poweredOff" : "poweredOn";
  r.is_template = i % 97 == 0;
  if (r.is_template) r.power_state = "poweredOff";
  r.guest_os = "linux";
  return r;
}

}  // namespace

void write_fleet(store::Database& db, const FleetOptions& o) {
  store::SnapshotWriter writer(db);
  std::vector<Lifecycle> life;
  for (int i = 0; i < o.vms; ++i) life.push_back(lifecycle(i, o));
  const TimePoint start(o.first_day);
  for (int h = 0; h < o.days * 24; ++h) {
    const TimePoint t = start + hours(h);
    const auto table = store::TableName::hourly(t);
    for (const std::string vc : {"vc1", "vc2"}) {
      if (vc == "vc2" && h == 3 * 24 + 14 && o.days > 3) {
        writer.record_failure(table, vc, "simulated outage", milliseconds(5));
        continue;
      }
      std::vector<store::HourlyVmRow> rows;
      for (int i = vc == "vc1" ? 0 : 1; i < o.vms; i += 2) {
        if (life[i].created && *life[i].created > t) continue;
        if (life[i].deleted && *life[i].deleted <= t) continue;
        rows.push_back(row(i, t, o));
      }
      writer.write_vms(table, vc, rows);
      if (!o.write_hosts) continue;
      std::vector<store::HostRow> hosts;
      const int count = vc == "vc1" ? 4 : 2;
      for (int k = 0; k < count; ++k) {
        if (k == 3 && h % 24 >= 20) continue;  // one host is down every evening
        store::HostRow host;
        host.snapshot_time = t;
        host.vcenter = vc;
        host.vcenter_uuid = vc + "-uuid";
        host.host_id = vc + "-host-" + std::to_string(k);
        host.name = host.host_id + ".example";
        host.datacenter = "dc0";
        host.cluster = k < 3 ? "gpu-a" : "cl-0";
        host.cpu_cores = 32;
        host.ram_mb = 524288;
        host.power_state = "poweredOn";
        host.connection_state = "connected";
        hosts.push_back(host);
      }
      writer.write_hosts(store::TableName::hosts(t), vc, hosts);
    }
  }
  db.transact([&](store::Transaction& tx) {
    std::vector<store::InventoryRecord> inventory;
    std::vector<store::VmEvent> events;
    for (int i = 0; i < o.vms; ++i) {
      if (life[i].created) {
        const auto r = row(i, *life[i].created, o);
        inventory.push_back(inventory_of(r, life[i].created, *life[i].created, *life[i].created));
      }
      if (life[i].deleted) {
        store::VmEvent ev;
        ev.vcenter_uuid = vcenter_of(i) + "-uuid";
        ev.event_key = 10000 + i;
        ev.event_type = "VmRemovedEvent";
        ev.created_time = *life[i].deleted;
        ev.vm_id = "vm-" + std::to_string(i);
        ev.instance_uuid = "iu-" + std::to_string(i);
        ev.vm_name = "vm-" + std::to_string(i);
        events.push_back(ev);
      }
    }
    store::upsert_inventory(tx, inventory);
    store::insert_vm_events(tx, events);
  });
}

}  // namespace vctp::test

#include "day_fixture.hpp"

#include <vector>

#include "vctp/store/inventory.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::test {

namespace {

using namespace std::chrono;

std::string hour_text(int day, int h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-11-%02dT%02d:00:00Z", day, h);
  return buf;
}

}  // namespace

store::InventoryRecord inventory_of(const store::HourlyVmRow& r,
                                    std::optional<std::chrono::system_clock::time_point> created,
                                    std::chrono::system_clock::time_point first_seen,
                                    std::chrono::system_clock::time_point last_seen) {
  store::InventoryRecord inv;
  inv.vcenter = r.vcenter;
  inv.vcenter_uuid = r.vcenter_uuid;
  inv.vm_id = r.vm_id;
  inv.instance_uuid = r.instance_uuid;
  inv.name = r.name;
  inv.creation_time = created;
  inv.first_seen = first_seen;
  inv.last_seen = last_seen;
  return inv;
}

store::VmEvent event_of(const store::HourlyVmRow& r, std::int64_t key, const std::string& type,
                        std::chrono::system_clock::time_point when) {
  store::VmEvent ev;
  ev.vcenter_uuid = r.vcenter_uuid;
  ev.event_key = key;
  ev.event_type = type;
  ev.created_time = when;
  ev.vm_id = r.vm_id;
  ev.instance_uuid = r.instance_uuid;
  ev.vm_name = r.name;
  return ev;
}

store::HourlyVmRow vm_row(const std::string& name, const std::string& vcenter) {
  store::HourlyVmRow r;
  r.vcenter = vcenter;
  r.vcenter_uuid = vcenter + "-uuid";
  r.vm_id = "vm-" + name;
  r.instance_uuid = "iu-" + name;
  r.bios_uuid = "bu-" + name;
  r.name = name;
  r.datacenter = "dc1";
  r.cluster = "cl-general";
  r.host = "host-3";
  r.resource_pool = "pool-a";
  r.folder = "acme/app";
  r.tenant = "acme";
  r.vcpu_count = 2;
  r.ram_mb = 4096;
  r.disk_gb = 50;
  r.power_state = "poweredOn";
  r.guest_os = "linux";
  return r;
}

void write_fixture_day(store::Database& db) {
  store::SnapshotWriter writer(db);
  for (int h = 0; h < 24; ++h) {
    const auto t = at(hour_text(24, h));
    std::vector<store::HourlyVmRow> rows;
    auto add = [&](store::HourlyVmRow r) {
      r.snapshot_time = t;
      rows.push_back(std::move(r));
    };
    // vm-grow: present 08..13 only, 2 vCPUs then 4; no lifecycle time recorded anywhere.
    if (h >= 8 && h <= 13) {
      auto r = vm_row("vm-grow");
      r.vcpu_count = h <= 10 ? 2 : 4;
      add(r);
    }
    // vm-new: created 10:30 (inventory), first seen 11:00; powered on 11..16, off 17..23.
    if (h >= 11) {
      auto r = vm_row("vm-new");
      r.ram_mb = 2048;
      r.disk_gb = 20;
      r.power_state = h <= 16 ? "poweredOn" : "poweredOff";
      add(r);
    }
    // vm-gone: deleted 15:15 (vm_events only); 1 vCPU, 8 vCPUs in its last sample (15:00).
    if (h <= 15) {
      auto r = vm_row("vm-gone");
      r.vcpu_count = h == 15 ? 8 : 1;
      add(r);
    }
    // vm-mover: pool-a 00..05, pool-b 06..23.
    {
      auto r = vm_row("vm-mover");
      r.resource_pool = h <= 5 ? "pool-a" : "pool-b";
      add(r);
    }
    // vm-filtered: tenant matched by tenants_to_filter ("internal-*").
    {
      auto r = vm_row("vm-filtered");
      r.tenant = "Internal-Test";
      add(r);
    }
    // SRM placeholders: one plain, one matching srm_activeactive_vms ("SRM-AA-*").
    {
      auto r = vm_row("srm-ph-1");
      r.srm_placeholder = true;
      r.power_state = "poweredOff";
      add(r);
      auto a = vm_row("srm-aa-db");
      a.srm_placeholder = true;
      add(a);
    }
    // vm-node: in a node-charge cluster ("GPU-*").
    {
      auto r = vm_row("vm-node");
      r.cluster = "gpu-cluster";
      add(r);
    }
    // tmpl-1: a template.
    {
      auto r = vm_row("tmpl-1");
      r.is_template = true;
      r.power_state = "poweredOff";
      add(r);
    }
    writer.write_vms(store::TableName::hourly(t), std::string("vc1"), rows);

    // vc2 missed its 14:00 snapshot.
    if (h == 14) {
      writer.record_failure(store::TableName::hourly(t), "vc2", "vCenter unreachable",
                            milliseconds(10));
    } else {
      auto r = vm_row("vm-vc2", "vc2");
      r.snapshot_time = t;
      r.vcpu_count = 6;
      writer.write_vms(store::TableName::hourly(t), std::string("vc2"), {r});
    }

    // Hosts: host-1 and host-2 in gpu-cluster (host-2 gone from 20:00), host-3 in cl-general.
    std::vector<store::HostRow> hosts;
    for (const auto& [id, cluster] : std::vector<std::pair<std::string, std::string>>{
             {"host-1", "gpu-cluster"}, {"host-2", "gpu-cluster"}, {"host-3", "cl-general"}}) {
      if (id == "host-2" && h >= 20) continue;
      store::HostRow host;
      host.snapshot_time = t;
      host.vcenter = "vc1";
      host.vcenter_uuid = "vc1-uuid";
      host.host_id = id;
      host.name = id + ".example";
      host.datacenter = "dc1";
      host.cluster = cluster;
      host.cpu_cores = 32;
      host.cpu_mhz = 2400;
      host.ram_mb = 524288;
      host.power_state = "poweredOn";
      host.connection_state = "connected";
      hosts.push_back(host);
    }
    writer.write_hosts(store::TableName::hosts(t), std::string("vc1"), hosts);
  }

  db.transact([](store::Transaction& tx) {
    store::upsert_inventory(tx, {inventory_of(vm_row("vm-new"), at("2026-11-24T10:30:00Z"),
                                              at("2026-11-24T11:00:00Z"), at("2026-11-24T23:00:00Z"))});
    const auto ev = event_of(vm_row("vm-gone"), 1001, "VmRemovedEvent", at("2026-11-24T15:15:00Z"));
    store::insert_vm_events(tx, {ev});
  });
}

void write_fixture_previous_day(store::Database& db) {
  store::SnapshotWriter writer(db);
  for (int h = 0; h < 24; ++h) {
    const auto t = at(hour_text(23, h));
    auto r = vm_row("vm-grow");
    r.snapshot_time = t;
    r.vcpu_count = 8;
    writer.write_vms(store::TableName::hourly(t), std::string("vc1"), {r});
  }
}

}  // namespace vctp::test

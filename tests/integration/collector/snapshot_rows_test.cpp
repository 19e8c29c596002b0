#include <catch2/catch.hpp>

#include "snapshot_rows.hpp"
#include "vctp/core/time_format.hpp"

using namespace vctp;

TEST_CASE("collector rows: inventory records become snapshot and inventory rows", "[collector]") {
  vsphere::Inventory inventory;
  inventory.vcenter = "vc1:443";
  inventory.vcenter_uuid = "vc-uuid";
  vsphere::VmRecord vm;
  vm.vcenter = "vc1:443";
  vm.vcenter_uuid = "vc-uuid";
  vm.vm_id = "vm-1";
  vm.instance_uuid = "i-1";
  vm.name = "web01";
  vm.vcpu_count = 4;
  vm.ram_mb = 8192;
  vm.disk_gb = 40.5;
  vm.power_state = "poweredOn";
  vm.tenant = "tenantA";
  vm.srm_placeholder = true;
  inventory.vms.push_back(vm);
  vm.instance_uuid.clear();
  vm.vm_id = "vm-2";
  inventory.vms.push_back(vm);
  vsphere::HostRecord host;
  host.host_id = "host-1";
  host.cpu_cores = 16;
  host.ram_mb = 65536;
  host.cpu_mhz = 2400;
  host.in_maintenance = true;
  host.connection_state = "connected";
  inventory.hosts.push_back(host);

  const auto hour = *core::parse_iso8601("2026-11-24T13:00:00Z");
  const auto rows = collector::hourly_vm_rows(inventory, hour);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].snapshot_time == hour);
  CHECK(rows[0].vcpu_count == 4);
  CHECK(rows[0].ram_mb == 8192);
  CHECK(rows[0].disk_gb == Approx(40.5));
  CHECK(rows[0].tenant == "tenantA");
  CHECK(rows[0].srm_placeholder);

  const auto hosts = collector::host_rows(inventory, hour);
  REQUIRE(hosts.size() == 1);
  CHECK(hosts[0].cpu_cores == 16);
  CHECK(hosts[0].ram_mb == 65536);
  CHECK(hosts[0].snapshot_time == hour);
  CHECK(static_cast<const core::HostRecord&>(hosts[0]) == host);  // every field carried over

  // A VM without an instance UUID cannot be tracked in the inventory.
  const auto records = collector::inventory_records(inventory, hour);
  REQUIRE(records.size() == 1);
  CHECK(records[0].instance_uuid == "i-1");
  CHECK(records[0].first_seen == hour);
}

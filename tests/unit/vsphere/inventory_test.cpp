#include <catch2/catch.hpp>

#include "vctp/vsphere/inventory.hpp"

using namespace vctp::vsphere;

namespace {

ManagedObject obj(std::string type, std::string id, std::string name, std::string parent_type = {},
                  std::string parent = {}) {
  ManagedObject o;
  o.ref = {std::move(type), std::move(id)};
  o.values.emplace_back("name", std::move(name));
  if (!parent.empty()) {
    o.refs.emplace_back("parent", MoRef{parent_type, parent});
    o.values.emplace_back("parent", parent);
  }
  return o;
}

ManagedObject vm(std::string id, std::string folder, std::string host, std::string pool) {
  auto o = obj("VirtualMachine", id, "vm " + id, "Folder", std::move(folder));
  o.values.emplace_back("config.instanceUuid", "iu-" + id);
  o.values.emplace_back("config.uuid", "bu-" + id);
  o.values.emplace_back("config.hardware.numCPU", "4");
  o.values.emplace_back("config.hardware.memoryMB", "8192");
  o.values.emplace_back("runtime.powerState", "poweredOn");
  if (!host.empty()) o.refs.emplace_back("runtime.host", MoRef{"HostSystem", host});
  if (!pool.empty()) o.refs.emplace_back("resourcePool", MoRef{"ResourcePool", pool});
  return o;
}

// DC "dc1" (vmFolder group-v1) holding /acme/web and /acme/db, cluster c1 with host h1 and pools
// Resources > gold; standalone host h2 under compute resource cr2.
std::vector<ManagedObject> estate() {
  std::vector<ManagedObject> all;
  auto dc = obj("Datacenter", "datacenter-1", "dc1", "Folder", "group-d1");
  dc.refs.emplace_back("vmFolder", MoRef{"Folder", "group-v1"});
  all.push_back(dc);
  all.push_back(obj("Folder", "group-d1", "Datacenters"));
  all.push_back(obj("Folder", "group-v1", "vm", "Datacenter", "datacenter-1"));
  all.push_back(obj("Folder", "group-h1", "host", "Datacenter", "datacenter-1"));
  all.push_back(obj("Folder", "folder-10", "acme", "Folder", "group-v1"));
  all.push_back(obj("Folder", "folder-11", "web", "Folder", "folder-10"));
  all.push_back(obj("ClusterComputeResource", "domain-c1", "c1", "Folder", "group-h1"));
  all.push_back(obj("ComputeResource", "domain-s2", "h2.example", "Folder", "group-h1"));
  auto h1 = obj("HostSystem", "host-1", "h1.example", "ClusterComputeResource", "domain-c1");
  h1.values.emplace_back("summary.hardware.numCpuCores", "32");
  h1.values.emplace_back("summary.hardware.memorySize", "274877906944");
  h1.values.emplace_back("summary.hardware.cpuMhz", "2600");
  h1.values.emplace_back("runtime.inMaintenanceMode", "true");
  all.push_back(h1);
  all.push_back(obj("HostSystem", "host-2", "h2.example", "ComputeResource", "domain-s2"));
  all.push_back(obj("ResourcePool", "resgroup-1", "Resources", "ClusterComputeResource", "domain-c1"));
  all.push_back(obj("ResourcePool", "resgroup-2", "gold", "ResourcePool", "resgroup-1"));
  all.push_back(obj("ResourcePool", "resgroup-3", "Resources", "ComputeResource", "domain-s2"));
  all.push_back(vm("vm-10", "folder-11", "host-1", "resgroup-2"));
  all.push_back(vm("vm-9", "group-v1", "host-2", "resgroup-3"));
  return all;
}

const VmRecord& find(const Inventory& inv, const std::string& id) {
  for (const auto& v : inv.vms) {
    if (v.vm_id == id) return v;
  }
  FAIL("no VM " << id);
  throw;
}

}  // namespace

TEST_CASE("VMs are placed by walking parents") {
  const auto inv = resolve_inventory(estate(), {"vc1", "uuid-1", 1});
  REQUIRE(inv.vms.size() == 2);
  CHECK(inv.vms[0].vm_id == "vm-9");  // numeric order of morefs
  CHECK(inv.vms[1].vm_id == "vm-10");

  const auto& a = find(inv, "vm-10");
  CHECK(a.vcenter == "vc1");
  CHECK(a.vcenter_uuid == "uuid-1");
  CHECK(a.datacenter == "dc1");
  CHECK(a.cluster == "c1");
  CHECK(a.host == "h1.example");
  CHECK(a.resource_pool == "gold");
  CHECK(a.resource_pool_path == "Resources/gold");
  CHECK(a.folder == "/acme/web");
  CHECK(a.tenant == "acme");
  CHECK(a.vcpu_count == 4);
  CHECK(a.ram_mb == 8192);
  CHECK(a.instance_uuid == "iu-vm-10");
  CHECK(a.bios_uuid == "bu-vm-10");

  const auto& b = find(inv, "vm-9");
  CHECK(b.cluster.empty());
  CHECK(b.host == "h2.example");
  CHECK(b.resource_pool == "Resources");
  CHECK(b.folder == "/");
  CHECK(b.tenant.empty());
  CHECK(b.datacenter == "dc1");
  CHECK(inv.warnings.empty());
}

TEST_CASE("the tenant folder level is configurable") {
  const auto inv = resolve_inventory(estate(), {"vc1", "uuid-1", 2});
  CHECK(find(inv, "vm-10").tenant == "web");
  CHECK(find(inv, "vm-9").tenant.empty());
}

TEST_CASE("hosts get their cluster, datacenter, cores, clock, memory and maintenance mode") {
  const auto inv = resolve_inventory(estate(), {"vc1", "uuid-1", 1});
  REQUIRE(inv.hosts.size() == 2);
  CHECK(inv.hosts[0].host_id == "host-1");
  CHECK(inv.hosts[0].cluster == "c1");
  CHECK(inv.hosts[0].datacenter == "dc1");
  CHECK(inv.hosts[0].cpu_cores == 32);
  CHECK(inv.hosts[0].ram_mb == 262144);
  CHECK(inv.hosts[0].cpu_mhz == 2600);
  CHECK(inv.hosts[0].in_maintenance);
  CHECK_FALSE(inv.hosts[1].in_maintenance);  // not reported: not in maintenance
  CHECK(inv.hosts[1].cpu_mhz == 0);
  CHECK(inv.hosts[1].cluster.empty());
  CHECK(inv.hosts[1].datacenter == "dc1");
}

TEST_CASE("a VM without host or folder is placed through its pool") {
  auto objects = estate();
  auto lone = vm("vm-20", "", "", "resgroup-2");
  lone.refs.clear();
  lone.refs.emplace_back("resourcePool", MoRef{"ResourcePool", "resgroup-2"});
  objects.push_back(lone);
  const auto inv = resolve_inventory(objects, {"vc1", "uuid-1", 1});
  const auto& v = find(inv, "vm-20");
  CHECK(v.cluster == "c1");
  CHECK(v.host.empty());
  CHECK(v.datacenter == "dc1");
  CHECK(v.folder.empty());
}

TEST_CASE("a parent cycle in bad data does not hang") {
  auto objects = estate();
  objects.push_back(obj("Folder", "folder-a", "a", "Folder", "folder-b"));
  objects.push_back(obj("Folder", "folder-b", "b", "Folder", "folder-a"));
  objects.push_back(vm("vm-30", "folder-a", "host-1", "resgroup-1"));
  const auto inv = resolve_inventory(objects, {"vc1", "uuid-1", 1});
  // Placed by its host instead, with a warning; no folder.
  CHECK(find(inv, "vm-30").datacenter == "dc1");
  CHECK(find(inv, "vm-30").folder.empty());
  CHECK(inv.warnings.size() == 1);
}

TEST_CASE("missing numbers read as zero and the disk size sums committed and uncommitted") {
  auto objects = estate();
  auto v = vm("vm-40", "group-v1", "host-1", "resgroup-1");
  v.values.emplace_back("summary.storage.committed", "3221225472");
  v.values.emplace_back("summary.storage.uncommitted", "1073741824");
  v.values.emplace_back("config.managedBy.extensionKey", "com.vmware.vcDr");
  v.values.emplace_back("config.managedBy.type", "other");
  objects.push_back(v);
  auto bare = obj("VirtualMachine", "vm-41", "bare", "Folder", "group-v1");
  objects.push_back(bare);
  const auto inv = resolve_inventory(objects, {"vc1", "uuid-1", 1});
  CHECK(find(inv, "vm-40").disk_gb == Approx(4.0));
  CHECK_FALSE(find(inv, "vm-40").srm_placeholder);  // managed by SRM, but not a placeholder
  CHECK(find(inv, "vm-41").vcpu_count == 0);
  CHECK(find(inv, "vm-41").disk_gb == 0.0);
}

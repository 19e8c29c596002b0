#include "vctp/vsphere/inventory.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "vctp/core/time_format.hpp"

namespace vctp::vsphere {

const std::string* ManagedObject::value(std::string_view path) const {
  for (const auto& [k, v] : values) {
    if (k == path) return &v;
  }
  return nullptr;
}

const MoRef* ManagedObject::ref_at(std::string_view path) const {
  for (const auto& [k, v] : refs) {
    if (k == path) return &v;
  }
  return nullptr;
}

const std::vector<PropertySpec>& inventory_property_specs() {
  static const std::vector<PropertySpec> kSpecs = {
      {"VirtualMachine",
       {"name", "config.uuid", "config.instanceUuid", "config.template", "config.hardware.numCPU",
        "config.hardware.memoryMB", "summary.storage.committed", "summary.storage.uncommitted", "runtime.powerState",
        "runtime.host", "resourcePool", "parent", "config.guestFullName", "config.managedBy", "config.createDate"}},
      {"HostSystem",
       {"name", "parent", "summary.hardware.numCpuCores", "summary.hardware.cpuMhz", "summary.hardware.memorySize",
        "runtime.powerState", "runtime.connectionState", "runtime.inMaintenanceMode"}},
      {"ClusterComputeResource", {"name", "parent"}},
      {"ComputeResource", {"name", "parent"}},
      {"ResourcePool", {"name", "parent", "owner"}},
      {"Folder", {"name", "parent"}},
      {"Datacenter", {"name", "parent", "vmFolder"}},
  };
  return kSpecs;
}

const std::vector<std::string>& lifecycle_event_types() {
  static const std::vector<std::string> kTypes = {
      "VmCreatedEvent",    "VmClonedEvent",    "VmDeployedEvent",   "VmRegisteredEvent", "VmDiscoveredEvent",
      "VmRemovedEvent",    "VmPoweredOnEvent", "VmPoweredOffEvent", "VmSuspendedEvent"};
  return kTypes;
}

namespace {

template <class T>
T to_number(const std::string* text) {
  T out{};
  if (text == nullptr) return out;
  std::from_chars(text->data(), text->data() + text->size(), out);
  return out;
}

std::string text_or_empty(const std::string* text) { return text ? *text : std::string(); }

bool is_pool(const ManagedObject& o) { return o.ref.type == "ResourcePool" || o.ref.type == "VirtualApp"; }
bool is_compute(const ManagedObject& o) {
  return o.ref.type == "ClusterComputeResource" || o.ref.type == "ComputeResource";
}

class Resolver {
 public:
  explicit Resolver(const std::vector<ManagedObject>& objects) {
    by_id_.reserve(objects.size());
    for (const auto& o : objects) by_id_.emplace(o.ref.value, &o);
  }

  const ManagedObject* get(const MoRef* ref) const {
    if (ref == nullptr || ref->empty()) return nullptr;
    const auto it = by_id_.find(ref->value);
    return it == by_id_.end() ? nullptr : it->second;
  }

  std::string name(const ManagedObject* o) const { return o ? text_or_empty(o->value("name")) : std::string(); }

  /// The datacenter above `o` (walking parents), or nullptr.
  const ManagedObject* datacenter_of(const ManagedObject* o) const {
    for (int depth = 0; o != nullptr && depth < kMaxDepth; ++depth) {
      if (o->ref.type == "Datacenter") return o;
      o = get(o->ref_at("parent"));
    }
    return nullptr;
  }

  /// The cluster a host (or compute resource) belongs to, or nullptr for a standalone host.
  const ManagedObject* cluster_of_host(const ManagedObject* host) const {
    const auto* parent = host ? get(host->ref_at("parent")) : nullptr;
    return parent && parent->ref.type == "ClusterComputeResource" ? parent : nullptr;
  }

  /// Folder names between the datacenter's VM folder (exclusive) and the VM; false when the chain
  /// does not reach a datacenter.
  bool folder_chain(const ManagedObject* vm, std::vector<std::string>& parts, const ManagedObject*& dc) const {
    const ManagedObject* o = get(vm->ref_at("parent"));
    for (int depth = 0; o != nullptr && depth < kMaxDepth; ++depth) {
      if (o->ref.type == "Datacenter") {
        dc = o;
        // The last folder collected is the datacenter's VM folder itself.
        if (!parts.empty()) parts.pop_back();
        std::reverse(parts.begin(), parts.end());
        return true;
      }
      parts.push_back(name(o));
      o = get(o->ref_at("parent"));
    }
    return false;
  }

  /// Pool names from the root pool down to `pool`.
  std::string pool_path(const ManagedObject* pool) const {
    std::vector<std::string> parts;
    for (int depth = 0; pool != nullptr && is_pool(*pool) && depth < kMaxDepth; ++depth) {
      parts.push_back(name(pool));
      pool = get(pool->ref_at("parent"));
    }
    std::string out;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      if (!out.empty()) out += '/';
      out += *it;
    }
    return out;
  }

  /// The compute resource owning a pool (its owner, or found by walking up).
  const ManagedObject* pool_owner(const ManagedObject* pool) const {
    if (pool == nullptr) return nullptr;
    if (const auto* owner = get(pool->ref_at("owner"))) return owner;
    for (int depth = 0; pool != nullptr && depth < kMaxDepth; ++depth) {
      if (is_compute(*pool)) return pool;
      pool = get(pool->ref_at("parent"));
    }
    return nullptr;
  }

 private:
  static constexpr int kMaxDepth = 64;  // guards against a cycle in bad data
  std::unordered_map<std::string, const ManagedObject*> by_id_;
};

/// A VM's own properties (what does not depend on other objects).
VmRecord vm_properties(const ManagedObject& o, const ResolveOptions& options) {
  VmRecord vm;
  vm.vcenter = options.vcenter;
  vm.vcenter_uuid = options.vcenter_uuid;
  vm.vm_id = o.ref.value;
  vm.name = text_or_empty(o.value("name"));
  vm.instance_uuid = text_or_empty(o.value("config.instanceUuid"));
  vm.bios_uuid = text_or_empty(o.value("config.uuid"));
  vm.vcpu_count = to_number<std::int32_t>(o.value("config.hardware.numCPU"));
  vm.ram_mb = to_number<std::int64_t>(o.value("config.hardware.memoryMB"));
  const auto committed = to_number<std::int64_t>(o.value("summary.storage.committed"));
  const auto uncommitted = to_number<std::int64_t>(o.value("summary.storage.uncommitted"));
  vm.disk_gb = static_cast<double>(committed + uncommitted) / static_cast<double>(1ll << 30);
  vm.power_state = text_or_empty(o.value("runtime.powerState"));
  vm.is_template = text_or_empty(o.value("config.template")) == "true";
  vm.srm_placeholder = text_or_empty(o.value("config.managedBy.extensionKey")) == "com.vmware.vcDr" &&
                       text_or_empty(o.value("config.managedBy.type")) == "placeholderVm";
  vm.guest_os = text_or_empty(o.value("config.guestFullName"));
  if (const auto* created = o.value("config.createDate")) {
    if (auto t = core::parse_iso8601(*created)) vm.creation_time = *t;
  }
  return vm;
}

/// Where a VM runs: host, pool, cluster, folder, tenant and datacenter, with a warning for a
/// folder chain that does not reach a datacenter.
void place_vm(const Resolver& r, const ManagedObject& o, const ResolveOptions& options, VmRecord& vm,
              std::vector<std::string>& warnings) {
  const auto* host = r.get(o.ref_at("runtime.host"));
  vm.host = r.name(host);
  const auto* pool = r.get(o.ref_at("resourcePool"));
  vm.resource_pool = r.name(pool);
  vm.resource_pool_path = r.pool_path(pool);
  const ManagedObject* cluster = r.cluster_of_host(host);
  if (cluster == nullptr && host == nullptr) {
    const auto* owner = r.pool_owner(pool);
    if (owner && owner->ref.type == "ClusterComputeResource") cluster = owner;
  }
  vm.cluster = r.name(cluster);

  std::vector<std::string> parts;
  const ManagedObject* dc = nullptr;
  if (r.folder_chain(&o, parts, dc)) {
    vm.folder = "/";
    for (std::size_t i = 0; i < parts.size(); ++i) vm.folder += (i ? "/" : "") + parts[i];
    const auto level = static_cast<std::size_t>(std::max(1, options.tenant_folder_level));
    if (parts.size() >= level) vm.tenant = parts[level - 1];
  } else {
    // Not in a folder chain (a VM inside a vApp has no parent folder): place it by its host or pool.
    dc = r.datacenter_of(host ? host : r.pool_owner(pool));
    if (o.ref_at("parent") != nullptr) {
      warnings.push_back("VM " + vm.vm_id + " (" + vm.name + "): its folder chain does not reach a datacenter");
    }
  }
  vm.datacenter = r.name(dc);
}

VmRecord resolve_vm(const Resolver& r, const ManagedObject& o, const ResolveOptions& options,
                    std::vector<std::string>& warnings) {
  VmRecord vm = vm_properties(o, options);
  place_vm(r, o, options, vm, warnings);
  if (vm.instance_uuid.empty()) warnings.push_back("VM " + vm.vm_id + " (" + vm.name + ") has no config.instanceUuid");
  if (vm.datacenter.empty()) warnings.push_back("VM " + vm.vm_id + " (" + vm.name + ") is in no datacenter");
  return vm;
}

HostRecord resolve_host(const Resolver& r, const ManagedObject& o, const ResolveOptions& options) {
  HostRecord h;
  h.vcenter = options.vcenter;
  h.vcenter_uuid = options.vcenter_uuid;
  h.host_id = o.ref.value;
  h.name = text_or_empty(o.value("name"));
  h.cluster = r.name(r.cluster_of_host(&o));
  h.datacenter = r.name(r.datacenter_of(&o));
  h.cpu_cores = to_number<std::int32_t>(o.value("summary.hardware.numCpuCores"));
  h.cpu_mhz = to_number<std::int32_t>(o.value("summary.hardware.cpuMhz"));
  h.ram_mb = to_number<std::int64_t>(o.value("summary.hardware.memorySize")) / (1024 * 1024);
  h.power_state = text_or_empty(o.value("runtime.powerState"));
  h.connection_state = text_or_empty(o.value("runtime.connectionState"));
  h.in_maintenance = text_or_empty(o.value("runtime.inMaintenanceMode")) == "true";
  return h;
}

/// Moref order: vm-9 before vm-10 (the numeric suffix compared when both have one).
bool moref_less(const std::string& a, const std::string& b) {
  const auto da = a.find_last_of('-');
  const auto db = b.find_last_of('-');
  if (da != std::string::npos && db != std::string::npos && a.compare(0, da, b, 0, db) == 0) {
    long long na = 0, nb = 0;
    const auto ra = std::from_chars(a.data() + da + 1, a.data() + a.size(), na);
    const auto rb = std::from_chars(b.data() + db + 1, b.data() + b.size(), nb);
    if (ra.ec == std::errc() && rb.ec == std::errc() && ra.ptr == a.data() + a.size() &&
        rb.ptr == b.data() + b.size() && na != nb) {
      return na < nb;
    }
  }
  return a < b;
}

}  // namespace

Inventory resolve_inventory(const std::vector<ManagedObject>& objects, const ResolveOptions& options) {
  Inventory inv;
  inv.vcenter = options.vcenter;
  inv.vcenter_uuid = options.vcenter_uuid;
  const Resolver r(objects);
  for (const auto& o : objects) {
    if (o.ref.type == "VirtualMachine") {
      inv.vms.push_back(resolve_vm(r, o, options, inv.warnings));
    } else if (o.ref.type == "HostSystem") {
      inv.hosts.push_back(resolve_host(r, o, options));
    }
  }
  std::sort(inv.vms.begin(), inv.vms.end(),
            [](const VmRecord& a, const VmRecord& b) { return moref_less(a.vm_id, b.vm_id); });
  std::sort(inv.hosts.begin(), inv.hosts.end(),
            [](const HostRecord& a, const HostRecord& b) { return moref_less(a.host_id, b.host_id); });
  return inv;
}

}  // namespace vctp::vsphere

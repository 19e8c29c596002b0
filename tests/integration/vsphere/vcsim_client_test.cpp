#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <map>
#include <thread>

#include "vcsim_process.hpp"
#include "vctp/vsphere/client.hpp"

using namespace vctp::vsphere;
using nlohmann::json;
using vctp::test::VcsimOptions;
using vctp::test::VcsimProcess;

namespace {

ClientOptions options_for(const VcsimProcess& sim) {
  ClientOptions o;
  o.url = sim.sdk_url();
  o.username = sim.options().username;
  o.password = sim.options().password;
  o.insecure = sim.options().tls;
  o.connect_timeout = std::chrono::milliseconds(5000);
  o.read_timeout = std::chrono::milliseconds(30000);
  o.call_timeout = std::chrono::milliseconds(60000);
  return o;
}

std::map<std::string, VmRecord> by_moref(const Inventory& inv) {
  std::map<std::string, VmRecord> out;
  for (const auto& v : inv.vms) out[v.vm_id] = v;
  return out;
}

void require_equal_to_dump(const Inventory& inv, const json& dump) {
  const auto vms = by_moref(inv);
  REQUIRE(vms.size() == dump["vms"].size());
  REQUIRE(inv.vcenter_uuid == dump["vcenter_uuid"].get<std::string>());
  long long cpus = 0, mem = 0;
  for (const auto& d : dump["vms"]) {
    const auto id = d["moref"].get<std::string>();
    INFO("VM " << id);
    REQUIRE(vms.count(id) == 1);
    const auto& v = vms.at(id);
    CHECK(v.name == d["name"].get<std::string>());
    CHECK(v.instance_uuid == d["instance_uuid"].get<std::string>());
    CHECK(v.bios_uuid == d["bios_uuid"].get<std::string>());
    CHECK(v.vcpu_count == d["cpus"].get<int>());
    CHECK(v.ram_mb == d["memory_mb"].get<long long>());
    CHECK(v.power_state == d["power_state"].get<std::string>());
    CHECK(v.host == d["host"].get<std::string>());
    CHECK(v.cluster == d["cluster"].get<std::string>());
    CHECK(v.datacenter == d["datacenter"].get<std::string>());
    CHECK(v.resource_pool == d["resource_pool"].get<std::string>());
    CHECK(v.resource_pool_path == d["resource_pool_path"].get<std::string>());
    CHECK(v.folder == d["folder"].get<std::string>());
    CHECK(v.is_template == d["template"].get<bool>());
    CHECK(v.srm_placeholder == (d["managed_by_key"].get<std::string>() == "com.vmware.vcDr"));
    cpus += v.vcpu_count;
    mem += v.ram_mb;
  }
  CHECK(cpus == dump["total_cpus"].get<long long>());
  CHECK(mem == dump["total_memory_mb"].get<long long>());
  REQUIRE(inv.hosts.size() == dump["hosts"].size());
  for (std::size_t i = 0; i < inv.hosts.size(); ++i) {
    const auto& d = dump["hosts"][i];
    const auto it = std::find_if(inv.hosts.begin(), inv.hosts.end(),
                                 [&](const HostRecord& h) { return h.host_id == d["moref"].get<std::string>(); });
    REQUIRE(it != inv.hosts.end());
    CHECK(it->name == d["name"].get<std::string>());
    CHECK(it->cluster == d["cluster"].get<std::string>());
    CHECK(it->datacenter == d["datacenter"].get<std::string>());
    CHECK(it->cpu_cores == d["cores"].get<int>());
    CHECK(it->ram_mb == d["memory_mb"].get<long long>());
    CHECK(it->cpu_mhz == d["cpu_mhz"].get<long long>());
    CHECK(it->cpu_mhz > 0);
    CHECK(it->in_maintenance == d["in_maintenance"].get<bool>());
  }
}

// The references of `objects`, sorted; fails when one comes twice.
std::vector<std::string> unique_refs(const std::vector<ManagedObject>& objects) {
  std::vector<std::string> refs;
  for (const auto& o : objects) refs.push_back(o.ref.type + ":" + o.ref.value);
  std::sort(refs.begin(), refs.end());
  const auto twice = std::adjacent_find(refs.begin(), refs.end());
  INFO("returned twice: " << (twice == refs.end() ? std::string("none") : *twice));
  CHECK(twice == refs.end());
  return refs;
}

long long count_of_type(const std::vector<ManagedObject>& objects, const std::string& type) {
  return std::count_if(objects.begin(), objects.end(), [&](const ManagedObject& o) { return o.ref.type == type; });
}

std::size_t pages_of(std::size_t objects, std::size_t per_page) { return (objects + per_page - 1) / per_page; }

}  // namespace

TEST_CASE("the inventory equals the simulator's own dump") {
  VcsimOptions so;
  so.datacenters = 2;
  so.clusters = 2;
  so.cluster_hosts = 2;
  so.hosts = 1;
  so.vms = 4;
  so.random_sizes_seed = 42;
  VcsimProcess sim(so);
  // Placement the default model lacks: tenant folders, a template, an SRM placeholder, a powered-off VM.
  sim.control("/vm/create", {{"name", "app-1"}, {"folder", "/tenantA/app"}, {"cpus", 6}, {"memory_mb", 12288}, {"power_on", true}});
  sim.control("/vm/create", {{"name", "db-1"}, {"folder", "/tenantB"}, {"datacenter", "DC1"}, {"pool", "/DC1/host/DC1_C1/Resources"}, {"cpus", 3}, {"memory_mb", 3000}});
  sim.control("/vm/mark-template", {{"vm", "DC0_H0_VM1"}});
  sim.control("/vm/reconfigure", {{"vm", "DC0_C0_RP0_VM2"}, {"managed_by_key", "com.vmware.vcDr"}, {"managed_by_type", "placeholderVm"}});
  sim.control("/vm/power-off", {{"vm", "DC0_C1_RP0_VM0"}});

  VcenterClient client(options_for(sim));
  auto opts = client.options();
  const auto inv = client.retrieve_inventory();
  const auto dump = sim.dump();
  require_equal_to_dump(inv, dump);
  CHECK(inv.vms.size() == 2 * (2 * 4 + 1 * 4) + 2);

  const auto vms = by_moref(inv);
  const auto app = std::find_if(inv.vms.begin(), inv.vms.end(), [](const VmRecord& v) { return v.name == "app-1"; });
  REQUIRE(app != inv.vms.end());
  CHECK(app->folder == "/tenantA/app");
  CHECK(app->tenant == "tenantA");
  CHECK(app->vcpu_count == 6);
  const auto db = std::find_if(inv.vms.begin(), inv.vms.end(), [](const VmRecord& v) { return v.name == "db-1"; });
  REQUIRE(db != inv.vms.end());
  CHECK(db->datacenter == "DC1");
  CHECK(db->cluster == "DC1_C1");
  CHECK(db->tenant == "tenantB");
  CHECK(std::count_if(inv.vms.begin(), inv.vms.end(), [](const VmRecord& v) { return v.srm_placeholder; }) == 1);
  CHECK(std::count_if(inv.vms.begin(), inv.vms.end(), [](const VmRecord& v) { return v.is_template; }) == 1);
}

TEST_CASE("two simulators are two vCenters: each has an instance UUID of its own, or the one it is given") {
  VcsimProcess first;
  VcsimProcess second;
  VcsimOptions given_options;
  given_options.vcenter_uuid = "5f8e1a2b-0c3d-4e5f-8a9b-0c1d2e3f4a5b";
  VcsimProcess given(given_options);
  VcenterClient first_client(options_for(first));
  VcenterClient second_client(options_for(second));
  VcenterClient given_client(options_for(given));
  const auto first_uuid = first_client.about().instance_uuid;
  CHECK(first_uuid == first.dump().at("vcenter_uuid").get<std::string>());
  CHECK(second_client.about().instance_uuid == second.dump().at("vcenter_uuid").get<std::string>());
  CHECK(first_uuid != second_client.about().instance_uuid);
  CHECK(given_client.about().instance_uuid == given_options.vcenter_uuid);
  CHECK(first_client.retrieve_inventory().vcenter_uuid == first_uuid);
}

TEST_CASE("a VM created and one destroyed between two retrievals show in events and in the inventory") {
  VcsimProcess sim;
  VcenterClient client(options_for(sim));
  const auto before = client.retrieve_inventory();
  EventQuery all;
  all.filter_max_count = 1000;
  const auto history = client.read_events(all);
  REQUIRE_FALSE(history.empty());
  const auto checkpoint = history.back();

  const auto created = sim.control("/vm/create", {{"name", "fresh-vm"}, {"cpus", 2}, {"memory_mb", 2048}, {"power_on", true}});
  const std::string gone = before.vms.front().vm_id;
  sim.control("/vm/destroy", {{"vm", gone}});

  const auto after = client.retrieve_inventory();
  const auto ids = by_moref(after);
  CHECK(ids.count(created["moref"].get<std::string>()) == 1);
  CHECK(ids.count(gone) == 0);
  CHECK(after.vms.size() == before.vms.size());
  require_equal_to_dump(after, sim.dump());

  EventQuery since;
  since.begin = checkpoint.created_time;
  since.after_key = checkpoint.key;
  since.filter_max_count = 1000;
  const auto events = client.read_events(since);
  auto has = [&](const std::string& type, const std::string& vm) {
    return std::any_of(events.begin(), events.end(), [&](const VmEvent& e) { return e.type == type && e.vm_id == vm; });
  };
  CHECK(has("VmCreatedEvent", created["moref"].get<std::string>()));
  CHECK(has("VmPoweredOnEvent", created["moref"].get<std::string>()));
  CHECK(has("VmPoweredOffEvent", gone));
  CHECK(has("VmRemovedEvent", gone));
  for (const auto& e : events) CHECK(e.key > checkpoint.key);
  CHECK(std::is_sorted(events.begin(), events.end(), [](const VmEvent& a, const VmEvent& b) { return a.key < b.key; }));
}

TEST_CASE("the client follows RetrievePropertiesEx pages to the last one and gets every object once") {
  VcsimOptions so;
  so.clusters = 2;
  so.vms = 10;
  so.random_sizes_seed = 7;
  VcsimProcess sim(so);
  const auto dump = sim.dump();
  int continues = 0;
  auto o = options_for(sim);
  o.on_soap_call = [&](const SoapCall& c) {
    if (c.method == "ContinueRetrievePropertiesEx" && c.ok) ++continues;
  };

  // All in one page: what every page together must hold.
  o.max_objects_per_page = 100000;
  const auto whole = VcenterClient(o).retrieve_objects(inventory_property_specs());
  const auto all_refs = unique_refs(whole);
  REQUIRE(continues == 0);
  REQUIRE(count_of_type(whole, "VirtualMachine") == static_cast<long long>(dump["vms"].size()));
  REQUIRE(whole.size() > 40);

  o.max_objects_per_page = 7;
  VcenterClient client(o);
  const auto paged = client.retrieve_objects(inventory_property_specs());
  CHECK(unique_refs(paged) == all_refs);
  CHECK(continues == static_cast<int>(pages_of(whole.size(), 7)) - 1);
  CHECK(continues >= 5);
  CHECK(sim.calls("ContinueRetrievePropertiesEx") == continues);
  CHECK(sim.stats()["open_tokens"].get<int>() == 0);

  // The inventory built from those pages is the simulator's own.
  continues = 0;
  require_equal_to_dump(client.retrieve_inventory(), dump);
  CHECK(continues == static_cast<int>(pages_of(whole.size(), 7)) - 1);
}

TEST_CASE("a vCenter's own page limit below maxObjects is followed too") {
  VcsimOptions so;
  so.clusters = 2;
  so.vms = 10;
  so.max_objects = 5;  // the client asks for 1,000 a page
  VcsimProcess sim(so);
  const auto dump = sim.dump();
  int continues = 0;
  int logins = 0;
  bool invalidate_after_continue = false;
  auto o = options_for(sim);
  REQUIRE(o.max_objects_per_page > 100);
  o.on_soap_call = [&](const SoapCall& c) {
    if (c.method == "Login" && c.ok) ++logins;
    if (c.method != "ContinueRetrievePropertiesEx" || !c.ok) return;
    ++continues;
    if (invalidate_after_continue) {
      invalidate_after_continue = false;
      sim.control("/session/invalidate");
    }
  };
  VcenterClient client(o);

  SECTION("every page") {
    const auto objects = client.retrieve_objects(inventory_property_specs());
    unique_refs(objects);
    CHECK(count_of_type(objects, "VirtualMachine") == static_cast<long long>(dump["vms"].size()));
    CHECK(count_of_type(objects, "HostSystem") == static_cast<long long>(dump["hosts"].size()));
    CHECK(continues == static_cast<int>(pages_of(objects.size(), 5)) - 1);
    CHECK(continues >= 8);
    CHECK(sim.stats()["open_tokens"].get<int>() == 0);
  }
  SECTION("the session expiring between two pages: logged in again, read again from the first page") {
    invalidate_after_continue = true;
    const auto inv = client.retrieve_inventory();
    require_equal_to_dump(inv, dump);
    CHECK(logins == 2);
    CHECK(sim.calls("RetrievePropertiesEx") == 2);
  }
}

TEST_CASE("wrong credentials give InvalidLogin") {
  VcsimProcess sim;
  auto o = options_for(sim);
  o.password = "not-the-password";
  VcenterClient client(o);
  try {
    client.retrieve_inventory();
    FAIL("no error");
  } catch (const InvalidLoginError& e) {
    CHECK_FALSE(e.retryable());
  }
}

TEST_CASE("credentials with XML special characters work") {
  VcsimOptions so;
  so.username = "ops<&>\"'";
  so.password = "p&ss<w>rd\"'";
  VcsimProcess sim(so);
  VcenterClient client(options_for(sim));
  CHECK(client.retrieve_inventory().vms.size() == 4);
}

TEST_CASE("a self-signed TLS simulator is refused unless insecure") {
  VcsimOptions so;
  so.tls = true;
  VcsimProcess sim(so);
  REQUIRE(sim.sdk_url().rfind("https://", 0) == 0);
  auto o = options_for(sim);
  o.insecure = false;
  {
    VcenterClient strict(o);
    try {
      strict.login();
      FAIL("no error");
    } catch (const TlsError& e) {
      CHECK_FALSE(e.retryable());
    }
  }
  o.insecure = true;
  VcenterClient lax(o);
  const auto inv = lax.retrieve_inventory();
  CHECK(inv.vms.size() == 4);
  require_equal_to_dump(inv, sim.dump());
}

TEST_CASE("with its certificate trusted, the TLS simulator is accepted under its IP and refused under another name") {
  VcsimOptions so;
  so.tls = true;
  VcsimProcess sim(so);
  const auto port = sim.sdk_url().substr(sim.sdk_url().rfind(':') + 1, std::string::npos);
  const auto port_number = port.substr(0, port.find('/'));
  auto o = options_for(sim);
  o.insecure = false;
  o.ca_file = sim.cert_file();
  {
    VcenterClient trusted(o);
    CHECK(trusted.retrieve_inventory().vms.size() == 4);
  }
  // The simulator's certificate names 127.0.0.1 and ::1, not localhost.
  o.url = "https://localhost:" + port_number + "/sdk";
  VcenterClient wrong_name(o);
  CHECK_THROWS_AS(wrong_name.login(), TlsError);
}

TEST_CASE("an invalidated session is renewed transparently") {
  VcsimProcess sim;
  int logins = 0;
  bool invalidate_after_view = false;
  auto o = options_for(sim);
  o.on_soap_call = [&](const SoapCall& c) {
    if (c.method == "Login" && c.ok) ++logins;
    if (invalidate_after_view && c.method == "CreateContainerView") {
      invalidate_after_view = false;
      sim.control("/session/invalidate");
    }
  };
  VcenterClient client(o);
  const auto first = client.retrieve_inventory();
  CHECK(logins == 1);

  SECTION("between two retrievals (NotAuthenticated fault)") {
    CHECK(sim.control("/session/invalidate")["invalidated"].get<int>() >= 1);
    const auto second = client.retrieve_inventory();
    CHECK(second.vms.size() == first.vms.size());
    CHECK(logins == 2);
  }
  SECTION("in the middle of a retrieval (its view vanishes)") {
    invalidate_after_view = true;
    const auto second = client.retrieve_inventory();
    CHECK(second.vms.size() == first.vms.size());
    CHECK(logins == 2);
  }
  SECTION("before reading events") {
    sim.control("/session/invalidate");
    EventQuery q;
    q.filter_max_count = 1000;
    CHECK_FALSE(client.read_events(q).empty());
    CHECK(logins == 2);
  }
}

TEST_CASE("the simulator dying in the middle of a retrieval gives a clean transport error") {
  VcsimOptions so;
  so.clusters = 2;
  so.vms = 200;
  VcsimProcess sim(so);
  VcenterClient client(options_for(sim));
  client.login();

  SECTION("the answer stops half-way") {
    sim.control("/fault/exit-mid-body", {{"method", "RetrievePropertiesEx"}});
    try {
      client.retrieve_inventory();
      FAIL("no error");
    } catch (const TransportError& e) {
      CHECK(e.retryable());
    }
  }
  SECTION("the process is killed while the call waits") {
    sim.control("/fault/delay", {{"method", "RetrievePropertiesEx"}, {"ms", 60000}});
    auto result = std::async(std::launch::async, [&] {
      try {
        client.retrieve_inventory();
        return std::string("no error");
      } catch (const TransportError&) {
        return std::string("transport");
      } catch (const VsphereError& e) {
        return std::string("other: ") + e.what();
      }
    });
    // Kill only once the retrieval is held inside the simulator.
    bool held = false;
    for (int i = 0; i < 3000 && !held; ++i) {
      held = vctp::test::http_request(sim.control_url() + "/fault/status", "GET", "").second.find("\"waiting\":1") !=
             std::string::npos;
      if (!held) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(held);
    sim.kill();
    CHECK(result.get() == "transport");
  }
  // Afterwards the client fails cleanly too (nothing listens any more).
  CHECK_THROWS_AS(client.retrieve_inventory(), VsphereError);
}

TEST_CASE("a vCenter that stops answering hits the read timeout") {
  VcsimProcess sim;
  auto o = options_for(sim);
  o.read_timeout = std::chrono::milliseconds(3000);  // generous: the machine may be busy
  VcenterClient client(o);
  client.login();
  sim.control("/fault/delay", {{"method", "RetrievePropertiesEx"}, {"ms", 60000}});
  try {
    client.retrieve_inventory();
    FAIL("no error");
  } catch (const TimeoutError& e) {
    CHECK(e.retryable());
  }
  // The next call works again on a new connection once the vCenter answers.
  sim.control("/fault/delay", {{"method", "RetrievePropertiesEx"}, {"ms", 0}});
  CHECK(client.retrieve_inventory().vms.size() == 4);
}

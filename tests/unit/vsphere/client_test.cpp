#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>
#include <string>
#include <thread>

#include "fake_vcenter.hpp"
#include "test_support.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/vsphere/client.hpp"
#include "vctp/vsphere/soap_metrics.hpp"

using namespace vctp::vsphere;
using vctp::test::default_answer;
using vctp::test::empty_response;
using vctp::test::FakeRequest;
using vctp::test::FakeResponse;
using vctp::test::FakeVcenter;
using vctp::test::recorded;

namespace {

ClientOptions options_for(const FakeVcenter& server) {
  ClientOptions o;
  o.url = server.url();
  o.username = "user";
  o.password = "pass";
  o.connect_timeout = std::chrono::milliseconds(5000);
  o.read_timeout = std::chrono::milliseconds(5000);
  o.call_timeout = std::chrono::milliseconds(20000);
  return o;
}

// Serves the three recorded pages: RetrievePropertiesEx gives page 1 (token page-2-token),
// ContinueRetrievePropertiesEx gives pages 2 and 3 by token.
FakeResponse paged_answer(const FakeRequest& r) {
  FakeResponse res = default_answer(r);
  if (r.method == "RetrievePropertiesEx") {
    res.body = recorded("retrieve_page1.xml");
  } else if (r.method == "ContinueRetrievePropertiesEx") {
    if (r.body.find("<token>page-2-token</token>") != std::string::npos) {
      res.body = recorded("continue_page2.xml");
    } else if (r.body.find("<token>page-3-token</token>") != std::string::npos) {
      res.body = recorded("continue_page3.xml");
    } else {
      res.status = 500;
      res.body = recorded("fault_generic.xml");
    }
  }
  return res;
}

const VmRecord& vm(const Inventory& inv, const std::string& id) {
  const auto it = std::find_if(inv.vms.begin(), inv.vms.end(), [&](const VmRecord& v) { return v.vm_id == id; });
  REQUIRE(it != inv.vms.end());
  return *it;
}

}  // namespace

TEST_CASE("the client follows RetrievePropertiesEx tokens to the last page") {
  FakeVcenter server(paged_answer);
  VcenterClient client(options_for(server));
  const auto inv = client.retrieve_inventory();

  CHECK(server.count("RetrievePropertiesEx") == 1);
  CHECK(server.count("ContinueRetrievePropertiesEx") == 2);
  CHECK(server.count("DestroyView") == 1);
  // 5 VMs recorded from the simulator, spread over the pages, plus 3 hand-made ones on page 3.
  CHECK(inv.vms.size() == 8);
  CHECK(inv.hosts.size() == 3);
  CHECK(inv.vcenter_uuid == "dbed6e0c-bd88-4ef6-b594-21283e1c677f");
  CHECK(inv.vcenter == client.label());

  const auto reqs = server.requests();
  const auto retrieve = std::find_if(reqs.begin(), reqs.end(), [](const FakeRequest& r) { return r.method == "RetrievePropertiesEx"; });
  REQUIRE(retrieve != reqs.end());
  CHECK(retrieve->body.find("<maxObjects>1000</maxObjects>") != std::string::npos);
  CHECK(retrieve->body.find("<type>ContainerView</type><path>view</path>") != std::string::npos);
  // Every call after Login carries the session cookie, all over one keep-alive connection.
  for (const auto& r : reqs) {
    if (r.method != "RetrieveServiceContent" && r.method != "Login") CHECK(r.cookie == "vmware_soap_session=fake-session-1");
    CHECK(r.connection == 1);
  }
  CHECK(reqs.front().soap_action == "\"urn:vim25/6.7\"");
  CHECK(reqs.back().soap_action.find("urn:vim25/") != std::string::npos);
}

TEST_CASE("odd values from the last page are resolved") {
  FakeVcenter server(paged_answer);
  VcenterClient client(options_for(server));
  const auto inv = client.retrieve_inventory();

  const auto& tmpl = vm(inv, "vm-901");
  CHECK(tmpl.name == "Zo\xC3\xAB & <Ops> \"\xE6\x95\xB0\xE6\x8D\xAE\xE5\xBA\x93\" \xF0\x9F\x98\x80");
  CHECK(tmpl.is_template);
  CHECK(tmpl.host.empty());
  CHECK(tmpl.cluster.empty());
  CHECK(tmpl.resource_pool.empty());
  CHECK(tmpl.folder == "/tenantA/app");
  CHECK(tmpl.tenant == "tenantA");
  CHECK(tmpl.datacenter == "DC0");
  CHECK(tmpl.disk_gb == Approx(1.0));
  CHECK(tmpl.guest_os == "Microsoft Windows Server 2019 (64-bit)");

  const auto& srm = vm(inv, "vm-902");
  CHECK(srm.srm_placeholder);
  CHECK_FALSE(srm.is_template);
  CHECK(srm.resource_pool == "web");
  CHECK(srm.resource_pool_path == "Resources/prod/web");
  CHECK(srm.cluster == "DC0_C0");
  CHECK(srm.host == "DC0_C0_H1");
  CHECK(srm.folder == "/tenantA");
  CHECK(srm.tenant == "tenantA");
  CHECK(srm.vcpu_count == 8);
  CHECK(srm.ram_mb == 65536);
  CHECK(srm.disk_gb == Approx(15.0));
  REQUIRE(srm.creation_time.has_value());

  const auto& restricted = vm(inv, "vm-903");
  CHECK(restricted.name == "restricted");
  CHECK(restricted.instance_uuid.empty());
  CHECK(restricted.power_state == "suspended");
  CHECK(restricted.vcpu_count == 0);
  CHECK(restricted.folder == "/");
  CHECK(restricted.tenant.empty());
  CHECK(std::any_of(inv.warnings.begin(), inv.warnings.end(),
                    [](const std::string& w) { return w.find("vm-903") != std::string::npos; }));

  const auto& placeholder_free = vm(inv, "vm-48");
  CHECK_FALSE(placeholder_free.srm_placeholder);
  CHECK(placeholder_free.cluster.empty());  // standalone host
  CHECK(placeholder_free.host == "DC0_H0");
  CHECK(placeholder_free.resource_pool == "Resources");
  CHECK(placeholder_free.resource_pool_path == "Resources");
  CHECK(placeholder_free.vcpu_count == 16);
  CHECK(placeholder_free.ram_mb == 6144);
  CHECK(placeholder_free.power_state == "poweredOn");
  CHECK(placeholder_free.instance_uuid == "b4689bed-97f0-5bcd-8a4c-07477cc8f06f");
  CHECK(placeholder_free.bios_uuid == "265104de-1472-547c-b873-6dc7883fb6cb");

  const auto standalone = std::find_if(inv.hosts.begin(), inv.hosts.end(), [](const HostRecord& h) { return h.host_id == "host-21"; });
  REQUIRE(standalone != inv.hosts.end());
  CHECK(standalone->cluster.empty());
  CHECK(standalone->datacenter == "DC0");
  CHECK(standalone->cpu_cores > 0);
  CHECK(standalone->ram_mb > 0);
}

TEST_CASE("a wrong password is an InvalidLoginError, not retried") {
  FakeVcenter server([](const FakeRequest& r) {
    FakeResponse res = default_answer(r);
    if (r.method == "Login") {
      res.status = 500;
      res.set_cookie.clear();
      res.body = recorded("fault_invalid_login.xml");
    }
    return res;
  });
  VcenterClient client(options_for(server));
  try {
    client.retrieve_inventory();
    FAIL("no error");
  } catch (const InvalidLoginError& e) {
    CHECK(e.kind() == ErrorKind::kInvalidLogin);
    CHECK_FALSE(e.retryable());
    CHECK(e.fault_type() == "InvalidLogin");
  }
  CHECK(server.count("Login") == 1);
  CHECK(server.count("CreateContainerView") == 0);
}

TEST_CASE("user names and passwords are XML-escaped in Login") {
  FakeVcenter server(default_answer);
  auto o = options_for(server);
  o.username = "dom\\<ops>&co";
  o.password = "p<a>ss&\"'word";
  VcenterClient client(o);
  client.login();
  const auto reqs = server.requests();
  const auto login = std::find_if(reqs.begin(), reqs.end(), [](const FakeRequest& r) { return r.method == "Login"; });
  REQUIRE(login != reqs.end());
  CHECK(login->body.find("<userName>dom\\&lt;ops&gt;&amp;co</userName>") != std::string::npos);
  CHECK(login->body.find("<password>p&lt;a&gt;ss&amp;&quot;&apos;word</password>") != std::string::npos);
}

TEST_CASE("a NotAuthenticated fault logs in again and retries once") {
  int retrieves = 0;
  FakeVcenter server([&](const FakeRequest& r) {
    FakeResponse res = paged_answer(r);
    if (r.method == "RetrievePropertiesEx" && ++retrieves == 1) {
      res.status = 500;
      res.body = recorded("fault_not_authenticated_vcenter.xml");
    }
    return res;
  });
  VcenterClient client(options_for(server));
  const auto inv = client.retrieve_inventory();
  CHECK(inv.vms.size() == 8);
  CHECK(server.count("Login") == 2);
  CHECK(server.count("CreateContainerView") == 2);  // the whole retrieval is redone
}

TEST_CASE("a NotAuthenticated missingSet (the simulator's way) logs in again and retries once") {
  int retrieves = 0;
  FakeVcenter server([&](const FakeRequest& r) {
    FakeResponse res = paged_answer(r);
    if (r.method == "RetrievePropertiesEx" && ++retrieves == 1) res.body = recorded("missingset_not_authenticated.xml");
    return res;
  });
  VcenterClient client(options_for(server));
  const auto inv = client.retrieve_inventory();
  CHECK(inv.vms.size() == 8);
  CHECK(server.count("Login") == 2);
}

TEST_CASE("a session that stays invalid gives NotAuthenticatedError after one retry") {
  FakeVcenter server([&](const FakeRequest& r) {
    FakeResponse res = default_answer(r);
    if (r.method == "CreateContainerView") {
      res.status = 500;
      res.body = recorded("fault_not_authenticated.xml");
    }
    return res;
  });
  VcenterClient client(options_for(server));
  CHECK_THROWS_AS(client.retrieve_inventory(), NotAuthenticatedError);
  CHECK(server.count("Login") == 2);
  CHECK(server.count("CreateContainerView") == 2);
}

TEST_CASE("other SOAP faults carry their type and fault string") {
  FakeVcenter server([&](const FakeRequest& r) {
    FakeResponse res = paged_answer(r);
    if (r.method == "ContinueRetrievePropertiesEx") {
      res.status = 500;
      res.body = recorded("fault_generic.xml");
    }
    return res;
  });
  VcenterClient client(options_for(server));
  try {
    client.retrieve_inventory();
    FAIL("no error");
  } catch (const SoapFaultError& e) {
    CHECK(e.fault_type() == "InvalidArgument");
    CHECK(std::string(e.what()).find("spec.objectSet & <type>") != std::string::npos);
    CHECK_FALSE(e.retryable());
  }
  // The abandoned retrieval is cancelled and its view destroyed.
  CHECK(server.count("CancelRetrievePropertiesEx") == 1);
  CHECK(server.count("DestroyView") == 1);
}

TEST_CASE("answers that are not SOAP are ProtocolErrors") {
  SECTION("malformed XML") {
    FakeVcenter server([&](const FakeRequest& r) {
      FakeResponse res = default_answer(r);
      if (r.method == "RetrieveServiceContent") res.body = "<soapenv:Envelope><broken";
      return res;
    });
    VcenterClient client(options_for(server));
    CHECK_THROWS_AS(client.login(), ProtocolError);
  }
  SECTION("an HTML 503 page is retryable") {
    FakeVcenter server([&](const FakeRequest&) {
      FakeResponse res;
      res.status = 503;
      res.body = "<html><body>Service Unavailable</body></html>";
      return res;
    });
    VcenterClient client(options_for(server));
    try {
      client.login();
      FAIL("no error");
    } catch (const ProtocolError& e) {
      CHECK(e.retryable());
    }
  }
}

TEST_CASE("the client reconnects when the server closes the connection") {
  FakeVcenter server([&](const FakeRequest& r) {
    FakeResponse res = paged_answer(r);
    res.close = true;
    return res;
  });
  VcenterClient client(options_for(server));
  const auto inv = client.retrieve_inventory();
  CHECK(inv.vms.size() == 8);
  CHECK(server.connections() == static_cast<int>(server.requests().size()));
}

TEST_CASE("an idle keep-alive connection closed by the server is reopened transparently") {
  int calls = 0;
  FakeVcenter server([&](const FakeRequest& r) {
    FakeResponse res = default_answer(r);
    // The second request on the first connection finds it closed.
    if (++calls == 2 && r.connection == 1) res.drop = true;
    return res;
  });
  VcenterClient client(options_for(server));
  client.login();
  CHECK(server.connections() == 2);
  CHECK(server.count("Login") == 2);  // the dropped one and its retry
}

TEST_CASE("a response cut off in the middle is a TransportError") {
  FakeVcenter server([&](const FakeRequest& r) {
    FakeResponse res = paged_answer(r);
    if (r.method == "RetrievePropertiesEx") res.truncate_at = res.body.size() / 2;
    return res;
  });
  VcenterClient client(options_for(server));
  try {
    client.retrieve_inventory();
    FAIL("no error");
  } catch (const TransportError& e) {
    CHECK(e.retryable());
  }
}

TEST_CASE("a server that does not answer hits the read timeout") {
  FakeVcenter server([&](const FakeRequest& r) {
    FakeResponse res = default_answer(r);
    if (r.method == "Login") std::this_thread::sleep_for(std::chrono::milliseconds(3000));
    return res;
  });
  auto o = options_for(server);
  o.read_timeout = std::chrono::milliseconds(1000);
  VcenterClient client(o);
  CHECK_THROWS_AS(client.login(), TimeoutError);
}

TEST_CASE("an answer that trickles in forever hits the whole-call timeout") {
  FakeVcenter server([&](const FakeRequest& r) {
    FakeResponse res = default_answer(r);
    if (r.method == "Login") res.trickle_ms = 100;  // ~800 bytes: 5 s, each piece well within the read timeout
    return res;
  });
  auto o = options_for(server);
  o.read_timeout = std::chrono::milliseconds(2000);
  o.call_timeout = std::chrono::milliseconds(2500);
  VcenterClient client(o);
  CHECK_THROWS_AS(client.login(), TimeoutError);
}

TEST_CASE("nothing listening is a retryable TransportError") {
  ClientOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(vctp::test::free_port()) + "/sdk";
  o.username = "u";
  o.password = "p";
  VcenterClient client(o);
  try {
    client.login();
    FAIL("no error");
  } catch (const TransportError& e) {
    CHECK(e.retryable());
    CHECK(e.kind() == ErrorKind::kTransport);
  }
}

TEST_CASE("events are read page by page, sorted by key, after the checkpoint") {
  int reads = 0;
  FakeVcenter server([&](const FakeRequest& r) {
    FakeResponse res = default_answer(r);
    if (r.method == "ReadNextEvents") res.body = recorded(++reads == 1 ? "read_next_events.xml" : "read_next_events_empty.xml");
    return res;
  });
  VcenterClient client(options_for(server));
  EventQuery q;
  q.types = {"VmCreatedEvent", "VmPoweredOffEvent", "VmReconfiguredEvent"};
  q.after_key = 5;
  q.page_size = 3;
  q.filter_max_count = 1000;
  q.begin = std::chrono::system_clock::time_point{};
  const auto events = client.read_events(q);
  REQUIRE(events.size() == 2);
  CHECK(events[0].key == 32);
  CHECK(events[0].type == "VmReconfiguredEvent");
  CHECK(events[0].vm_id == "vm-62");
  CHECK(events[0].vm_name == "new1");
  CHECK(events[1].key == 34);
  CHECK(events[1].type == "VmPoweredOffEvent");
  CHECK(events[1].vm_id == "vm-51");
  CHECK(events[1].datacenter == "DC0");
  CHECK(events[1].created_time > std::chrono::system_clock::time_point{});
  CHECK(server.count("RewindCollector") == 1);
  CHECK(server.count("ReadNextEvents") == 2);
  CHECK(server.count("DestroyCollector") == 1);
  const auto reqs = server.requests();
  const auto create = std::find_if(reqs.begin(), reqs.end(), [](const FakeRequest& r) { return r.method == "CreateCollectorForEvents"; });
  REQUIRE(create != reqs.end());
  CHECK(create->body.find("<eventTypeId>VmCreatedEvent</eventTypeId>") != std::string::npos);
  CHECK(create->body.find("<beginTime>1970-01-01T00:00:00Z</beginTime>") != std::string::npos);
  CHECK(create->body.find("<maxCount>1000</maxCount>") != std::string::npos);
}

TEST_CASE("SOAP call latency is observed in the metrics registry") {
  FakeVcenter server(paged_answer);
  vctp::metrics::Registry registry;
  auto o = options_for(server);
  o.on_soap_call = soap_call_metrics(registry, "fake");
  VcenterClient client(o);
  client.retrieve_inventory();
  const auto text = registry.serialize();
  CHECK(text.find("vctp_vcenter_soap_call_seconds_count{method=\"ContinueRetrievePropertiesEx\",vcenter=\"fake\"} 2") !=
        std::string::npos);
  CHECK(text.find("vctp_vcenter_soap_call_seconds_count{method=\"Login\",vcenter=\"fake\"} 1") != std::string::npos);
}

namespace {

/// Resident memory of this process, in bytes (/proc/self/statm).
long resident_bytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * ::sysconf(_SC_PAGESIZE);
}

}  // namespace

TEST_CASE("a client of an http:// or insecure vCenter loads no CA store: many vCenters cost little memory") {
  // The system CA bundle parsed costs most of a MiB per TLS context; a collector of many vCenters
  // paid it for every vCenter, even those it never verifies.
  std::vector<std::unique_ptr<VcenterClient>> clients;  // all kept, so each round's memory is new
  for (const bool insecure : {false, true}) {
    INFO((insecure ? "https, vcenter_insecure" : "http"));
    const long before = resident_bytes();
    for (int i = 0; i < 200; ++i) {
      ClientOptions o;
      o.url = insecure ? "https://127.0.0.1:1/sdk" : "http://127.0.0.1:1/sdk";
      o.insecure = insecure;
      o.username = "user";
      o.password = "pass";
      clients.push_back(std::make_unique<VcenterClient>(o));
    }
    // 200 CA stores would be well over 100 MiB; 200 clients without them a few MiB.
    CHECK(resident_bytes() - before < 40L * 1024 * 1024);
  }
}

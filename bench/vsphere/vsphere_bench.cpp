// Retrieves a simulator inventory of 10,000 VMs (1 datacenter, 10 clusters, 1,000 VMs per
// cluster pool, seeded random sizes), prints time and peak RSS of retrieve+parse+resolve, and
// beside it curl fetching the same RetrievePropertiesEx answer (the transport's limit). Checks
// that every VM comes back and that vCPU and memory totals equal the simulator's own dump.
//
// Usage: vsphere_bench [--clusters N] [--vms-per-pool N] [--runs N]
//                      [--sdk-url URL --control-url URL]   (a simulator already running)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "vcsim_process.hpp"
#include "vctp/vsphere/client.hpp"

namespace {

using Clock = std::chrono::steady_clock;

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

long current_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  pclose(pipe);
  return out;
}

std::string envelope(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
         "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>" +
         body + "</soapenv:Body></soapenv:Envelope>";
}

// Times curl fetching the same RetrievePropertiesEx answer the client asks for (its own session
// and view), best of `runs`. Returns {seconds, bytes}.
std::pair<double, long> curl_retrieve(const std::string& url, int runs) {
  const std::string dir = "/tmp/vctp-bench-curl";
  std::system(("mkdir -p " + dir).c_str());
  auto post = [&](const std::string& file, const std::string& body, const std::string& out, const std::string& extra) {
    std::ofstream(dir + "/" + file) << envelope(body);
    return run("curl -s -b " + dir + "/jar -c " + dir + "/jar -H 'Content-Type: text/xml; charset=utf-8' "
               "-H 'SOAPAction: \"urn:vim25/6.7\"' --data-binary @" + dir + "/" + file + " -o " + out + " " + extra +
               " '" + url + "'");
  };
  post("login.xml",
       "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>user</userName>"
       "<password>pass</password></Login>",
       "/dev/null", "");
  std::string types;
  std::string props;
  for (const auto& spec : vctp::vsphere::inventory_property_specs()) {
    types += "<type>" + spec.type + "</type>";
    props += "<propSet><type>" + spec.type + "</type>";
    for (const auto& p : spec.paths) props += "<pathSet>" + p + "</pathSet>";
    props += "</propSet>";
  }
  post("view.xml",
       "<CreateContainerView xmlns=\"urn:vim25\"><_this type=\"ViewManager\">ViewManager</_this>"
       "<container type=\"Folder\">group-d1</container>" + types + "<recursive>true</recursive></CreateContainerView>",
       dir + "/view-answer.xml", "");
  std::ifstream in(dir + "/view-answer.xml");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string answer = ss.str();
  const auto start = answer.find("<returnval type=\"ContainerView\">");
  if (start == std::string::npos) return {0, 0};
  const auto from = start + std::string("<returnval type=\"ContainerView\">").size();
  const std::string view = answer.substr(from, answer.find('<', from) - from);
  const std::string retrieve =
      "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet>" +
      props + "<objectSet><obj type=\"ContainerView\">" + view +
      "</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>traverseView</name><type>ContainerView</type>"
      "<path>view</path><skip>false</skip></selectSet></objectSet></specSet><options><maxObjects>1000</maxObjects>"
      "</options></RetrievePropertiesEx>";
  double best = 1e9;
  long bytes = 0;
  for (int i = 0; i < runs; ++i) {
    std::istringstream result(post("retrieve.xml", retrieve, "/dev/null", "-w '%{time_total} %{size_download}'"));
    double t = 0;
    result >> t >> bytes;
    std::printf("  curl run %d: %.3f s\n", i + 1, t);
    best = std::min(best, t);
  }
  std::system(("rm -rf " + dir).c_str());
  return {best, bytes};
}

}  // namespace

int main(int argc, char** argv) {
  int clusters = 10;
  int vms_per_pool = 1000;
  int runs = 3;
  std::string sdk_url;
  std::string control_url;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--clusters") clusters = std::atoi(value.c_str());
    else if (flag == "--vms-per-pool") vms_per_pool = std::atoi(value.c_str());
    else if (flag == "--runs") runs = std::atoi(value.c_str());
    else if (flag == "--sdk-url") sdk_url = value;
    else if (flag == "--control-url") control_url = value;
    else {
      std::cerr << "usage: vsphere_bench [--clusters N] [--vms-per-pool N] [--runs N] [--sdk-url URL --control-url URL]\n";
      return 2;
    }
  }
  if (sdk_url.empty() != control_url.empty()) {
    std::cerr << "vsphere_bench: --sdk-url and --control-url go together\n";
    return 2;
  }

  vctp::test::VcsimOptions so;
  so.datacenters = 1;
  so.clusters = clusters;
  so.cluster_hosts = 4;
  so.hosts = 0;
  so.vms = vms_per_pool;
  so.random_sizes_seed = 20261124;
  std::optional<vctp::test::VcsimProcess> sim;
  if (sdk_url.empty()) {
    std::cout << "starting the simulator: 1 datacenter, " << clusters << " clusters, " << vms_per_pool
              << " VMs per pool..." << std::endl;
    const auto sim_start = Clock::now();
    sim.emplace(so);
    std::cout << "simulator ready in " << std::chrono::duration<double>(Clock::now() - sim_start).count() << " s\n";
    sdk_url = sim->sdk_url();
    control_url = sim->control_url();
  }

  const auto dump = nlohmann::json::parse(vctp::test::http_request(control_url + "/dump", "GET", "").second);
  const auto expected_vms = dump["vms"].size();
  const auto expected_cpus = dump["total_cpus"].get<long long>();
  const auto expected_mem = dump["total_memory_mb"].get<long long>();

  vctp::vsphere::ClientOptions options;
  options.url = sdk_url;
  options.username = "user";
  options.password = "pass";
  double soap_seconds = 0;
  std::size_t soap_bytes = 0;
  options.on_soap_call = [&](const vctp::vsphere::SoapCall& call) {
    if (call.method == "RetrievePropertiesEx" || call.method == "ContinueRetrievePropertiesEx") {
      soap_seconds += call.seconds;
      soap_bytes += call.response_bytes;
    }
  };
  vctp::vsphere::VcenterClient client(options);
  client.login();

  const long rss_before = current_rss_kb();
  double best = 1e9;
  double best_soap = 0;
  double best_cpu = 1e9;
  vctp::vsphere::Inventory inv;
  for (int i = 0; i < runs; ++i) {
    soap_seconds = 0;
    soap_bytes = 0;
    const auto start = Clock::now();
    const double cpu_start = cpu_seconds();
    inv = client.retrieve_inventory();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;
    best_cpu = std::min(best_cpu, cpu);
    std::printf("  run %d: %.3f s (SOAP calls %.3f s), client CPU %.3f s\n", i + 1, seconds, soap_seconds, cpu);
    if (seconds < best) {
      best = seconds;
      best_soap = soap_seconds;
    }
  }
  const long peak = peak_rss_kb();

  long long cpus = 0;
  long long mem = 0;
  for (const auto& vm : inv.vms) {
    cpus += vm.vcpu_count;
    mem += vm.ram_mb;
  }
  const auto [curl_seconds, curl_bytes] = curl_retrieve(sdk_url, runs);

  std::printf("VMs: %zu (simulator: %zu), hosts: %zu\n", inv.vms.size(), expected_vms, inv.hosts.size());
  std::printf("vCPU total: %lld (simulator: %lld), memory total: %lld MB (simulator: %lld MB)\n", cpus, expected_cpus,
              mem, expected_mem);
  std::printf("vctp retrieve+parse+resolve: %.3f s (best of %d), of which SOAP calls incl. parsing %.3f s, %zu bytes\n",
              best, runs, best_soap, soap_bytes);
  std::printf("client CPU (receive, parse, resolve): %.3f s (best of %d)\n", best_cpu, runs);
  std::printf("curl RetrievePropertiesEx alone: %.3f s (best of %d), %ld bytes\n", curl_seconds, runs, curl_bytes);
  std::printf("peak RSS: %.1f MB (%.1f MB before retrieving)\n", static_cast<double>(peak) / 1024.0,
              static_cast<double>(rss_before) / 1024.0);

  const bool ok = inv.vms.size() == expected_vms && cpus == expected_cpus && mem == expected_mem;
  std::printf("%s\n", ok ? "OK: every VM returned, totals equal the simulator's" : "MISMATCH");
  return ok ? 0 : 1;
}

// Retrieves a simulator inventory of 10,000 VMs (1 datacenter, 10 clusters, 1,000 VMs per
// cluster pool, seeded random sizes), prints time and peak RSS of retrieve+parse+resolve, and
// beside it curl fetching the same answers (the transport's limit): the RetrievePropertiesEx page
// and every ContinueRetrievePropertiesEx page after it, token by token, to the end. Checks that
// every VM comes back, that vCPU and memory totals equal the simulator's own dump, and that no
// paging token is left open in the simulator.
//
// Usage: vsphere_bench [--clusters N] [--vms-per-pool N] [--runs N] [--tls 0|1]
//                      [--sdk-url URL --control-url URL] [--insecure 0|1]
//                      [--mode both|client|curl]
// --mode client and --mode curl (for bench/collector/run.sh, which times the process) do one
// retrieval against --sdk-url and print `vms=N vcpus=N memory_mb=N` (curl adds its own figures).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "vcsim_process.hpp"
#include "vctp/vsphere/client.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_of(const timeval& user, const timeval& sys) {
  return static_cast<double>(user.tv_sec + sys.tv_sec) + static_cast<double>(user.tv_usec + sys.tv_usec) / 1e6;
}

double cpu_seconds(int who) {
  rusage usage{};
  getrusage(who, &usage);
  return seconds_of(usage.ru_utime, usage.ru_stime);
}

long peak_rss_kb(int who) {
  rusage usage{};
  getrusage(who, &usage);
  return usage.ru_maxrss;
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
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  pclose(pipe);
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string envelope(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
         "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>" +
         body + "</soapenv:Body></soapenv:Envelope>";
}

/// The text between `<tag>` and the next `<` in `xml`, or empty.
std::string element_text(const std::string& xml, const std::string& open_tag) {
  const auto start = xml.find(open_tag);
  if (start == std::string::npos) return {};
  const auto from = start + open_tag.size();
  return xml.substr(from, xml.find('<', from) - from);
}

struct Totals {
  std::size_t vms = 0;
  long long cpus = 0;
  long long memory_mb = 0;
  bool operator==(const Totals&) const = default;
};

std::string to_string(const Totals& t) {
  return "vms=" + std::to_string(t.vms) + " vcpus=" + std::to_string(t.cpus) +
         " memory_mb=" + std::to_string(t.memory_mb);
}

Totals totals_of(const vctp::vsphere::Inventory& inv) {
  Totals t;
  t.vms = inv.vms.size();
  for (const auto& vm : inv.vms) {
    t.cpus += vm.vcpu_count;
    t.memory_mb += vm.ram_mb;
  }
  return t;
}

/// Adds the integer values of property `path` in one answer page to `sum`.
void sum_property(const std::string& page, const std::string& path, long long& sum) {
  const std::string key = "<name>" + path + "</name><val";
  for (auto at = page.find(key); at != std::string::npos; at = page.find(key, at + key.size())) {
    const auto value = page.find('>', at + key.size());
    if (value != std::string::npos) sum += std::atoll(page.c_str() + value + 1);
  }
}

/// VMs and their vCPU and memory totals in RetrievePropertiesEx answer pages.
Totals totals_of_pages(const std::vector<std::filesystem::path>& pages) {
  Totals t;
  const std::string vm = "<obj type=\"VirtualMachine\">";
  for (const auto& file : pages) {
    const std::string page = read_file(file);
    for (auto at = page.find(vm); at != std::string::npos; at = page.find(vm, at + vm.size())) ++t.vms;
    sum_property(page, "config.hardware.numCPU", t.cpus);
    sum_property(page, "config.hardware.memoryMB", t.memory_mb);
  }
  return t;
}

/// SOAP calls made with the curl command line tool, one process each, sharing a session cookie
/// in a temporary directory (removed on destruction).
class CurlSoap {
 public:
  CurlSoap(std::string url, bool insecure) : url_(std::move(url)), insecure_(insecure) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vsphere-bench-curl.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
    dir_ = tmpl;
  }
  ~CurlSoap() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  CurlSoap(const CurlSoap&) = delete;
  CurlSoap& operator=(const CurlSoap&) = delete;

  /// Posts `body` as call `name`; the answer is kept in `<dir>/<name>.out` and returned as a path.
  /// Throws when curl fails or the answer is not HTTP 200 (a SOAP fault).
  std::filesystem::path post(const std::string& name, const std::string& body) {
    const auto request = dir_ / (name + ".in");
    const auto answer = dir_ / (name + ".out");
    std::ofstream(request) << envelope(body);
    const std::string jar = (dir_ / "jar").string();
    const std::string status =
        run("curl -s -S " + std::string(insecure_ ? "-k " : "") + "-b " + jar + " -c " + jar +
            " -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: \"urn:vim25/6.7\"' -H 'Expect:' --data-binary @" +
            request.string() + " -o " + answer.string() + " -w '%{http_code} %{size_download}' '" + url_ + "'");
    std::istringstream in(status);
    int code = 0;
    long size = 0;
    in >> code >> size;
    if (code != 200) {
      throw std::runtime_error("curl " + name + ": HTTP " + std::to_string(code) + ": " +
                               read_file(answer).substr(0, 400));
    }
    bytes_ += size;
    return answer;
  }
  long bytes() const { return bytes_; }

 private:
  std::string url_;
  bool insecure_;
  std::filesystem::path dir_;
  long bytes_ = 0;
};

struct CurlRun {
  double seconds = 0;        ///< Login to DestroyView, every page read
  double pages_seconds = 0;  ///< the RetrievePropertiesEx and ContinueRetrievePropertiesEx calls alone
  double cpu_seconds = 0;  ///< of the curl processes (user + system)
  long max_rss_kb = 0;     ///< of the largest curl process
  long bytes = 0;          ///< of the RetrievePropertiesEx pages
  int pages = 0;
  Totals totals;
};

std::string retrieve_request(const std::string& view) {
  std::string props;
  for (const auto& spec : vctp::vsphere::inventory_property_specs()) {
    props += "<propSet><type>" + spec.type + "</type>";
    for (const auto& p : spec.paths) props += "<pathSet>" + p + "</pathSet>";
    props += "</propSet>";
  }
  return "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this>"
         "<specSet>" + props + "<objectSet><obj type=\"ContainerView\">" + view +
         "</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>traverseView</name>"
         "<type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet>"
         "<options><maxObjects>1000</maxObjects></options></RetrievePropertiesEx>";
}

/// Reads the inventory with curl as the client does: Login, CreateContainerView (the same types),
/// RetrievePropertiesEx (the same property specs, 1,000 objects a page), then
/// ContinueRetrievePropertiesEx with each page's token until a page has none, DestroyView.
CurlRun curl_retrieve(const std::string& url, bool insecure) {
  CurlSoap soap(url, insecure);
  const double cpu_start = cpu_seconds(RUSAGE_CHILDREN);
  const auto start = Clock::now();
  soap.post("login",
            "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>user"
            "</userName><password>pass</password></Login>");
  std::string types;
  for (const auto& spec : vctp::vsphere::inventory_property_specs()) types += "<type>" + spec.type + "</type>";
  const std::string view = element_text(
      read_file(soap.post("view", "<CreateContainerView xmlns=\"urn:vim25\"><_this type=\"ViewManager\">ViewManager"
                                  "</_this><container type=\"Folder\">group-d1</container>" + types +
                                  "<recursive>true</recursive></CreateContainerView>")),
      "<returnval type=\"ContainerView\">");
  if (view.empty()) throw std::runtime_error("curl: CreateContainerView answered no view");
  const long before_pages = soap.bytes();
  const auto pages_start = Clock::now();
  std::vector<std::filesystem::path> pages{soap.post("page-1", retrieve_request(view))};
  for (std::string token = element_text(read_file(pages.back()), "<token>"); !token.empty();
       token = element_text(read_file(pages.back()), "<token>")) {
    pages.push_back(soap.post("page-" + std::to_string(pages.size() + 1),
                              "<ContinueRetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                              "propertyCollector</_this><token>" + token + "</token></ContinueRetrievePropertiesEx>"));
  }
  CurlRun out;
  out.pages_seconds = std::chrono::duration<double>(Clock::now() - pages_start).count();
  out.bytes = soap.bytes() - before_pages;
  soap.post("destroy", "<DestroyView xmlns=\"urn:vim25\"><_this type=\"ContainerView\">" + view +
                           "</_this></DestroyView>");
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.cpu_seconds = cpu_seconds(RUSAGE_CHILDREN) - cpu_start;
  out.max_rss_kb = peak_rss_kb(RUSAGE_CHILDREN);
  soap.post("logout", "<Logout xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this></Logout>");
  out.pages = static_cast<int>(pages.size());
  out.totals = totals_of_pages(pages);
  return out;
}

struct Args {
  int clusters = 10;
  int vms_per_pool = 1000;
  int runs = 3;
  bool tls = false;
  bool insecure = false;
  std::string mode = "both";
  std::string sdk_url;
  std::string control_url;
};

std::optional<Args> parse_args(int argc, char** argv) {
  Args a;
  if (argc % 2 == 0) return std::nullopt;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--clusters") a.clusters = std::atoi(value.c_str());
    else if (flag == "--vms-per-pool") a.vms_per_pool = std::atoi(value.c_str());
    else if (flag == "--runs") a.runs = std::atoi(value.c_str());
    else if (flag == "--tls") a.tls = value == "1";
    else if (flag == "--insecure") a.insecure = value == "1";
    else if (flag == "--mode") a.mode = value;
    else if (flag == "--sdk-url") a.sdk_url = value;
    else if (flag == "--control-url") a.control_url = value;
    else return std::nullopt;
  }
  const bool mode_ok = a.mode == "both" || a.mode == "client" || a.mode == "curl";
  if (!mode_ok || a.sdk_url.empty() != a.control_url.empty() || a.runs < 1) return std::nullopt;
  if (a.mode != "both" && a.sdk_url.empty()) return std::nullopt;
  return a;
}

vctp::vsphere::ClientOptions client_options(const Args& a) {
  vctp::vsphere::ClientOptions options;
  options.url = a.sdk_url;
  options.username = "user";
  options.password = "pass";
  options.insecure = a.insecure;
  return options;
}

int open_tokens(const std::string& control_url) {
  return nlohmann::json::parse(vctp::test::http_request(control_url + "/stats", "GET", "").second)["open_tokens"]
      .get<int>();
}

/// --mode client: log in, retrieve once, print the totals (the caller times the process).
int client_once(const Args& a) {
  vctp::vsphere::VcenterClient client(client_options(a));
  const auto start = Clock::now();
  const auto inv = client.retrieve_inventory();
  std::printf("%s seconds=%.3f\n", to_string(totals_of(inv)).c_str(),
              std::chrono::duration<double>(Clock::now() - start).count());
  return 0;
}

/// --mode curl: one curl retrieval, its totals and figures; fails when a paging token is left open.
int curl_once(const Args& a) {
  const auto r = curl_retrieve(a.sdk_url, a.insecure);
  std::printf("%s pages=%d bytes=%ld pages_seconds=%.3f seconds=%.3f cpu_s=%.3f max_rss_kb=%ld\n",
              to_string(r.totals).c_str(), r.pages, r.bytes, r.pages_seconds, r.seconds, r.cpu_seconds, r.max_rss_kb);
  if (!a.control_url.empty() && open_tokens(a.control_url) != 0) {
    std::fprintf(stderr, "vsphere_bench: paging tokens left open in the simulator\n");
    return 1;
  }
  return 0;
}

struct ClientBest {
  double seconds = 1e9;
  double soap_seconds = 0;
  std::size_t soap_bytes = 0;
  double cpu = 1e9;
  Totals totals;
};

/// Retrieves `a.runs` times in this process; the best wall and CPU times.
ClientBest client_runs(const Args& a) {
  double soap_seconds = 0;
  std::size_t soap_bytes = 0;
  auto options = client_options(a);
  options.on_soap_call = [&](const vctp::vsphere::SoapCall& call) {
    if (call.method == "RetrievePropertiesEx" || call.method == "ContinueRetrievePropertiesEx") {
      soap_seconds += call.seconds;
      soap_bytes += call.response_bytes;
    }
  };
  vctp::vsphere::VcenterClient client(options);
  client.login();
  ClientBest best;
  for (int i = 0; i < a.runs; ++i) {
    soap_seconds = 0;
    soap_bytes = 0;
    const auto start = Clock::now();
    const double cpu_start = cpu_seconds(RUSAGE_SELF);
    const auto inv = client.retrieve_inventory();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = cpu_seconds(RUSAGE_SELF) - cpu_start;
    std::printf("  run %d: %.3f s (SOAP calls %.3f s), client CPU %.3f s\n", i + 1, seconds, soap_seconds, cpu);
    best.cpu = std::min(best.cpu, cpu);
    if (seconds < best.seconds) {
      best.seconds = seconds;
      best.soap_seconds = soap_seconds;
      best.soap_bytes = soap_bytes;
    }
    best.totals = totals_of(inv);
  }
  return best;
}

/// --mode both: the client `a.runs` times, then curl `a.runs` times, each checked.
int both(const Args& a) {
  const auto dump = nlohmann::json::parse(vctp::test::http_request(a.control_url + "/dump", "GET", "").second);
  const Totals expected{dump["vms"].size(), dump["total_cpus"].get<long long>(),
                        dump["total_memory_mb"].get<long long>()};
  const long rss_before = current_rss_kb();
  const auto client = client_runs(a);
  const long peak = peak_rss_kb(RUSAGE_SELF);
  std::optional<CurlRun> best_curl;
  bool curl_ok = true;
  for (int i = 0; i < a.runs; ++i) {
    const auto r = curl_retrieve(a.sdk_url, a.insecure);
    std::printf("  curl run %d: %.3f s, %d pages, %ld bytes\n", i + 1, r.seconds, r.pages, r.bytes);
    curl_ok = curl_ok && r.totals == expected;
    if (!best_curl || r.seconds < best_curl->seconds) best_curl = r;
  }
  const int tokens = open_tokens(a.control_url);
  std::printf("client: %s; curl: %s; simulator: %s\n", to_string(client.totals).c_str(),
              to_string(best_curl->totals).c_str(), to_string(expected).c_str());
  std::printf("vctp retrieve+parse+resolve: %.3f s (best of %d), of which SOAP calls incl. parsing %.3f s, %zu bytes\n",
              client.seconds, a.runs, client.soap_seconds, client.soap_bytes);
  std::printf("client CPU (receive, parse, resolve): %.3f s (best of %d)\n", client.cpu, a.runs);
  std::printf("curl, every page: %.3f s (best of %d; the pages alone %.3f s), %d pages, %ld bytes\n",
              best_curl->seconds, a.runs, best_curl->pages_seconds, best_curl->pages, best_curl->bytes);
  std::printf("peak RSS: %.1f MB (%.1f MB before retrieving)\n", static_cast<double>(peak) / 1024.0,
              static_cast<double>(rss_before) / 1024.0);
  std::printf("paging tokens left open in the simulator: %d\n", tokens);
  const bool ok = client.totals == expected && curl_ok && tokens == 0;
  std::printf("%s\n", ok ? "OK: every VM returned, totals equal the simulator's" : "MISMATCH");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) try {
  auto args = parse_args(argc, argv);
  if (!args) {
    std::cerr << "usage: vsphere_bench [--clusters N] [--vms-per-pool N] [--runs N] [--tls 0|1]\n"
                 "                     [--sdk-url URL --control-url URL] [--insecure 0|1] [--mode both|client|curl]\n"
                 "(--mode client and curl need --sdk-url)\n";
    return 2;
  }
  Args& a = *args;
  if (a.mode == "client") return client_once(a);
  if (a.mode == "curl") return curl_once(a);
  std::optional<vctp::test::VcsimProcess> sim;
  if (a.sdk_url.empty()) {
    vctp::test::VcsimOptions so;
    so.clusters = a.clusters;
    so.cluster_hosts = 4;
    so.hosts = 0;
    so.vms = a.vms_per_pool;
    so.random_sizes_seed = 20261124;
    so.tls = a.tls;
    std::cout << "starting the simulator: 1 datacenter, " << a.clusters << " clusters, " << a.vms_per_pool
              << " VMs per pool..." << std::endl;
    const auto sim_start = Clock::now();
    sim.emplace(so);
    std::cout << "simulator ready in " << std::chrono::duration<double>(Clock::now() - sim_start).count() << " s\n";
    a.sdk_url = sim->sdk_url();
    a.control_url = sim->control_url();
    a.insecure = a.insecure || a.tls;
  }
  return both(a);
} catch (const std::exception& e) {
  std::cerr << "vsphere_bench: " << e.what() << "\n";
  return 1;
}

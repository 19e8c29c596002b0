#include "e2e_suite.hpp"

#include <cstdio>
#include <stdexcept>

namespace vctp::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

E2eSuite::E2eSuite(E2eOptions options) : options_(std::move(options)) {
  if (options_.nats_url.empty()) throw std::invalid_argument("E2eSuite: nats_url is required");
  if (options_.database_url.empty()) options_.database_url = (dir_ / "db.sqlite3").string();
  fs::create_directories(reports_dir());
  write_settings();
  for (const auto& service : options_.services) start(service);
}

E2eSuite::~E2eSuite() {
  for (auto& [key, p] : processes_) {
    if (p.child && p.child->running()) p.child->signal(SIGTERM);
  }
  for (auto& [key, p] : processes_) {
    if (p.child) p.child->wait_for_exit(15s);
  }
}

void E2eSuite::write_settings() const {
  std::string vcenters;
  for (const auto& v : options_.vcenters) vcenters += (vcenters.empty() ? "" : ", ") + v;
  write_file(settings(), "settings:\n"
                         "  database_driver: " + options_.database_driver + "\n"
                         "  database_url: \"" + options_.database_url + "\"\n"
                         "  nats_url: \"" + options_.nats_url + "\"\n"
                         "  reports_dir: " + reports_dir().string() + "\n"
                         "  vcenter_addresses: [" + vcenters + "]\n"
                         "  vcenter_username: user\n"
                         "  vcenter_password: pass\n"
                         "  bind_ip: 127.0.0.1\n"
                         "  bind_port: 0\n"
                         "  tls_cert_filename: " + (dir_ / "gateway.crt").string() + "\n"
                         "  tls_key_filename: " + (dir_ / "gateway.key").string() + "\n"
                         "  api_tokens: [\"" + test_token_hash() + "\"]\n"
                         "  collector_metrics_port: 0\n"
                         "  aggregator_metrics_port: 0\n"
                         "  reporter_metrics_port: 0\n" +
                         options_.extra_settings);
}

std::string E2eSuite::start(const std::string& service) {
  int replica = 0;
  while (processes_.count(service + "#" + std::to_string(replica)) != 0) ++replica;
  const std::string key = service + "#" + std::to_string(replica);
  auto& p = processes_[key];
  p.service = service;
  spawn(key, p);
  return key;
}

void E2eSuite::spawn(const std::string& key, Process& p) {
  // Each life of a process logs into a file of its own: DIR/<key>.<life>.log.
  const auto log = dir_ / (key + "." + std::to_string(++p.lives) + ".log");
  p.child = std::make_unique<ChildProcess>(
      std::vector<std::string>{binary_dir().string() + "/bin/vctp-" + p.service, "-settings", settings().string()},
      log);
  if (p.service == "gateway" && (gateway_port_ == 0 || key == "gateway#0")) {
    gateway_port_ = logged_port(log, kGatewayListening, *p.child);
  }
}

void E2eSuite::restart(const std::string& key) {
  auto& p = processes_.at(key);
  if (p.child && p.child->running()) throw std::logic_error("E2eSuite::restart: " + key + " still runs");
  spawn(key, p);
}

std::optional<int> E2eSuite::stop(const std::string& key, int signal) {
  auto& child = process(key);
  child.signal(signal);
  return child.wait_for_exit(20s);
}

ChildProcess& E2eSuite::process(const std::string& key) {
  const auto it = processes_.find(key);
  if (it == processes_.end() || !it->second.child) throw std::out_of_range("E2eSuite: no process " + key);
  return *it->second.child;
}

std::vector<std::string> E2eSuite::keys() const {
  std::vector<std::string> out;
  for (const auto& [key, p] : processes_) out.push_back(key);
  return out;
}

std::string E2eSuite::url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(gateway_port_) + path;
}

nlohmann::json E2eSuite::get_json(const std::string& path) const {
  const auto r = http_call("GET", url(path));
  if (r.status != 200) return nlohmann::json();
  return nlohmann::json::parse(r.body, nullptr, false);
}

HttpResult E2eSuite::post_json(const std::string& path, const std::string& body) const {
  return http_call("POST", url(path), body, {"Authorization: Bearer " + kTestToken, "Content-Type: application/json"});
}

CommandResult E2eSuite::collect_once(const std::string& at, const std::string& extra_args) const {
  return run_command(binary_dir().string() + "/bin/vctp-collector --once --at " + at + " -settings " +
                     settings().string() + (extra_args.empty() ? "" : " " + extra_args));
}

std::unique_ptr<store::Database> E2eSuite::open_database() const {
  return store::open_database(options_.database_driver, options_.database_url);
}

std::string E2eSuite::logs() const {
  std::string text;
  for (const auto& [key, p] : processes_) {
    for (int life = 1; life <= p.lives; ++life) {
      const auto log = dir_ / (key + "." + std::to_string(life) + ".log");
      text += "--- " + key + " (life " + std::to_string(life) + ")\n";
      if (fs::exists(log)) text += read_file(log);
    }
  }
  return text;
}

bool lists_report(const nlohmann::json& reports, const std::string& file) {
  if (!reports.is_object() || !reports.contains("reports")) return false;
  for (const auto& r : reports.at("reports")) {
    if (r.value("file", "") == file) return true;
  }
  return false;
}

std::string hour_of(const std::string& day, int hour) {
  char at[32];
  std::snprintf(at, sizeof at, "%sT%02d:00:00Z", day.c_str(), hour);
  return at;
}

std::map<std::pair<std::string, std::string>, int> registry_entries(store::Database& db, const std::string& kind) {
  std::map<std::pair<std::string, std::string>, int> out;
  for (const auto& row :
       db.query("SELECT table_name, COALESCE(vcenter, '') AS vcenter FROM snapshot_registry WHERE kind = $1", {kind})) {
    ++out[{row.get_text("table_name"), row.get_text("vcenter")}];
  }
  return out;
}

}  // namespace vctp::test

#pragma once

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway_harness.hpp"
#include "test_support.hpp"
#include "vctp/store/database.hpp"

namespace vctp::test {

/// How an end-to-end suite is set up: which NATS, database and vCenters the services share.
struct E2eOptions {
  std::string nats_url;  ///< required; several servers comma-separated (a cluster)
  std::string database_driver = "sqlite";
  std::string database_url;  ///< empty: db.sqlite3 in the suite's directory
  std::vector<std::string> vcenters;  ///< SDK URLs (vcenter_addresses)
  /// Services started at construction, one process each; a name may be given twice for two
  /// replicas ("aggregator", "aggregator" starts aggregator#0 and aggregator#1).
  std::vector<std::string> services = {"aggregator", "reporter", "gateway"};
  /// More YAML lines under `settings:` (each indented by two spaces, ending in a newline).
  std::string extra_settings;
};

/// The real binaries of the suite over one settings file in a temporary directory, each its
/// own child process (logs in DIR/<name>#<replica>.<life>.log, a life per start), stopped with SIGTERM at the end. The
/// gateway's port is read from its log; URLs are HTTPS with the generated certificate.
class E2eSuite {
 public:
  explicit E2eSuite(E2eOptions options);
  ~E2eSuite();
  E2eSuite(const E2eSuite&) = delete;
  E2eSuite& operator=(const E2eSuite&) = delete;

  const TempDir& dir() const { return dir_; }
  std::filesystem::path settings() const { return dir_ / "vctp.yml"; }
  std::filesystem::path reports_dir() const { return dir_ / "reports"; }
  const E2eOptions& options() const { return options_; }

  /// Starts one more process of `service`; returns its key ("aggregator#1"). The gateway's
  /// first replica sets gateway_port().
  std::string start(const std::string& service);
  /// Starts the process of `key` again (after stop or kill); a restarted gateway#0 has a new port.
  void restart(const std::string& key);
  /// Sends `signal` and waits (up to 20 s) for the process to end; returns its exit status.
  std::optional<int> stop(const std::string& key, int signal = SIGTERM);
  ChildProcess& process(const std::string& key);
  std::vector<std::string> keys() const;

  /// The port of the first gateway process (0 when none runs).
  int gateway_port() const { return gateway_port_; }
  std::string url(const std::string& path) const;
  /// GET of the gateway; a null json when the answer is not 200 JSON.
  nlohmann::json get_json(const std::string& path) const;
  /// POST with the test token; the whole result.
  HttpResult post_json(const std::string& path, const std::string& body) const;

  /// `vctp-collector --once --at AT` over the suite's settings (`extra_args` appended).
  CommandResult collect_once(const std::string& at, const std::string& extra_args = {}) const;

  /// A connection of the suite's own to its database.
  std::unique_ptr<store::Database> open_database() const;

  /// Every process's log, for INFO on failure.
  std::string logs() const;

 private:
  struct Process {
    std::string service;
    std::unique_ptr<ChildProcess> child;
    int lives = 0;
  };
  void write_settings() const;
  void spawn(const std::string& key, Process& p);

  TempDir dir_;
  E2eOptions options_;
  std::map<std::string, Process> processes_;
  int gateway_port_ = 0;
};

/// Whether a listing of /api/reports holds `file`.
bool lists_report(const nlohmann::json& reports, const std::string& file);

/// "2026-11-24T05:00:00Z" for day "2026-11-24" and hour 5.
std::string hour_of(const std::string& day, int hour);

/// Rows of snapshot_registry of `kind` as (table_name, vcenter) -> number of rows that name it,
/// so a test sees both a missing entry and a doubled one.
std::map<std::pair<std::string, std::string>, int> registry_entries(store::Database& db, const std::string& kind);

}  // namespace vctp::test

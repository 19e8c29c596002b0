#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <sys/types.h>

namespace vctp::test {

/// How to start the vCenter simulator (tests/vcsim/main.go; flags of the same names).
struct VcsimOptions {
  int datacenters = 1;
  int clusters = 1;
  int cluster_hosts = 2;
  int hosts = 1;  ///< standalone hosts per datacenter
  int vms = 2;    ///< per cluster root pool and per standalone host
  int pools = 0;
  bool tls = false;
  std::string username = "user";
  std::string password = "pass";
  /// The vCenter's instance UUID; empty keeps govmomi's fixed one, which every simulator shares
  /// (two simulators with the same UUID are one vCenter under two addresses).
  std::string instance_uuid;
  std::int64_t random_sizes_seed = 0;  ///< 0 = every VM has 1 vCPU and 32 MB
  /// Most objects per RetrievePropertiesEx page whatever the client asks (0 = only the
  /// request's maxObjects limits a page), to force paging.
  int max_objects = 0;
  std::chrono::seconds start_timeout{180};
};

/// The simulator as a child process on free ports of 127.0.0.1, stopped (SIGTERM, then SIGKILL)
/// when this goes out of scope. Throws std::runtime_error when it does not come up.
class VcsimProcess {
 public:
  explicit VcsimProcess(VcsimOptions options = {});
  ~VcsimProcess();
  VcsimProcess(const VcsimProcess&) = delete;
  VcsimProcess& operator=(const VcsimProcess&) = delete;

  /// The SDK URL, e.g. http://127.0.0.1:40123/sdk.
  const std::string& sdk_url() const { return sdk_url_; }
  /// The control API's base URL, e.g. http://127.0.0.1:40124.
  const std::string& control_url() const { return control_url_; }
  const VcsimOptions& options() const { return options_; }
  /// With tls: the PEM file of the simulator's self-signed certificate (valid for 127.0.0.1 and
  /// ::1, not for "localhost"), to trust it as a CA.
  std::string cert_file() const { return (dir_ / "cert.pem").string(); }
  pid_t pid() const { return pid_; }

  /// GET /dump: every VM and host as the simulator holds them.
  nlohmann::json dump() const;
  /// GET /stats: {"calls": {method: n}, "open_tokens": n}.
  nlohmann::json stats() const;
  /// SDK calls of `method` so far.
  int calls(const std::string& method) const;
  /// POST `path` of the control API with a JSON body; throws std::runtime_error on an error answer.
  nlohmann::json control(const std::string& path, const nlohmann::json& body = nlohmann::json::object()) const;

  /// SIGKILL now and reap.
  void kill();
  /// Whether the process is still running (reaps it when it exited).
  bool running();
  /// What the simulator printed (stdout and stderr).
  std::string log() const;

 private:
  void stop();
  VcsimOptions options_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::string sdk_url_;
  std::string control_url_;
};

/// The simulator executable this build made (tests/vcsim/build.sh).
std::string vcsim_executable();

/// A minimal HTTP/1.1 request to 127.0.0.1 (no TLS); returns {status, body}.
std::pair<int, std::string> http_request(const std::string& url, const std::string& method, const std::string& body);

}  // namespace vctp::test

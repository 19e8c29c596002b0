#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace vctp::test {

/// A temporary directory removed with everything in it when this goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// The directory where CTest fixtures leave what tests need (test-fixtures/NAME/...).
std::filesystem::path fixtures_dir();

/// The content of test-fixtures/NAME/FILE (trimmed), or nullopt when the fixture is not running.
std::optional<std::string> fixture_value(const std::string& name, const std::string& file);

/// A TCP port free on 127.0.0.1 right now, which another process may take before it is used:
/// only for third-party servers that cannot bind port 0 and report the port they got, or that
/// must come back on the same port after a restart. Our services take port 0 (see logged_port).
int free_port();

/// The source tree's root.
std::filesystem::path source_dir();

/// The build tree's root (binaries in bin/).
std::filesystem::path binary_dir();

/// Writes `text` to `path`.
void write_file(const std::filesystem::path& path, const std::string& text);

/// Reads the whole of `path`.
std::string read_file(const std::filesystem::path& path);

/// Runs a shell command; returns its exit status and what it printed (stdout and stderr).
struct CommandResult {
  int status;
  std::string output;
};
CommandResult run_command(const std::string& command);

/// A child process started with arguments (no shell), stopped with SIGTERM when destroyed.
class ChildProcess {
 public:
  /// Starts `argv[0]` with `argv`; stdout and stderr go to `log_path` when given.
  explicit ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_path = {},
                        const std::vector<std::string>& extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const { return pid_; }
  /// Sends `signal`.
  void signal(int signal);
  /// Waits up to `timeout` for the process to end; returns its exit status (128+signal when
  /// killed), or nullopt if it is still running.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  bool running();

 private:
  int pid_ = -1;
  std::optional<int> status_;
};

/// What our services log when they bound their port: the gateway's API and the metrics,
/// /healthz and /readyz port of the others.
inline constexpr const char* kGatewayListening = "gateway listening";
inline constexpr const char* kMetricsListening = "serving /metrics, /healthz and /readyz";

/// The port in the first line of `log_path` that holds `message` (`port=N` in text logs,
/// `"port":"N"` in JSON ones): how a test learns the port a service of ours bound for port 0.
/// Waits up to `timeout` while `child` runs; throws, with the log, when no such line comes.
int logged_port(const std::filesystem::path& log_path, const std::string& message, ChildProcess& child,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Polls `probe` every 50 ms until it returns true or `timeout` passes; returns the last result.
bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds timeout);

/// The body of an HTTP GET of `url` through curl (empty on failure).
std::string http_get(const std::string& url);

}  // namespace vctp::test

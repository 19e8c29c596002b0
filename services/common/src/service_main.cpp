#include "vctp/service/service_main.hpp"

#include <atomic>
#include <csignal>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "vctp/bus/connection.hpp"
#include "vctp/core/clock.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/settings_schema.hpp"
#include "vctp/core/version.hpp"
#include "vctp/service/health_server.hpp"
#include "vctp/store/database.hpp"

namespace vctp::service {
namespace {

constexpr int kExitUsage = 2;
constexpr auto kStopDeadline = std::chrono::milliseconds(9500);

std::string usage(const ServiceInfo& def) {
  std::string text = "vctp-" + def.name + " " + std::string(core::version()) + ": " + def.description +
                     "\n\nUsage: vctp-" + def.name +
                     " [-settings PATH] [options]\n\n"
                     "  -settings PATH, --settings PATH  settings file (default /etc/dtms/vctp.yml)\n"
                     "  --check-settings                 validate the settings, print them (secrets\n"
                     "                                   masked) and exit\n"
                     "  --version                        print the version and exit\n"
                     "  --settings-reference             print every setting with its default and exit\n"
                     "  --help                           print this help and exit\n";
  if (!def.extra_usage.empty()) text += def.extra_usage;
  text += "\nEvery setting can be overridden by the environment variable VCTP_<KEY>.\n";
  return text;
}

/// Ends the process if a stop takes longer than the deadline, so SIGTERM always ends it.
class StopWatchdog {
 public:
  StopWatchdog()
      : thread_([this] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, kStopDeadline, [this] { return done_; })) {
            core::log_error("stop took too long; abandoning the current job and exiting");
            std::_Exit(0);
          }
        }) {}
  ~StopWatchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

/// Creates the folders the service writes when they are missing: the SQLite database's and, for
/// a service that writes reports, reports_dir. Returns what went wrong ("" when nothing did).
std::string create_directories(const core::Settings& settings, const ServiceInfo& def) {
  std::vector<std::pair<std::string, std::filesystem::path>> dirs;
  if (const auto file = store::sqlite_file_path(settings.database_driver, settings.database_url)) {
    if (file->has_parent_path()) dirs.emplace_back("the folder of database_url", file->parent_path());
  }
  if (def.writes_reports) dirs.emplace_back("reports_dir", settings.reports_dir);
  for (const auto& [what, dir] : dirs) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) continue;
    if (std::filesystem::create_directories(dir, ec); ec || !std::filesystem::is_directory(dir)) {
      return "cannot create " + what + " " + dir.string() + ": " +
             (ec ? ec.message() : std::string("it exists and is not a directory"));
    }
    core::log_info("created a missing directory", {{"setting", what}, {"path", dir.string()}});
  }
  return {};
}

/// What the command line asked for before any settings are read: help, the reference, the
/// version (printed; an exit code) or a bad option (exit 2); nullopt to go on.
std::optional<int> handle_command_line(const core::CommandLine& command_line, const ServiceInfo& info,
                                       const detail::ServiceHooks& hooks) {
  try {
    if (command_line.show_help) {
      std::cout << usage(info);
      return 0;
    }
    if (command_line.print_reference) {
      std::cout << core::reference_settings_yaml();
      return 0;
    }
    if (command_line.show_version) {
      std::cout << "vctp-" << info.name << " " << core::version() << "\n";
      return 0;
    }
    hooks.parse_options(command_line.rest);
  } catch (const core::UsageError& e) {
    std::cerr << "vctp-" << info.name << ": " << e.what() << "\n\n" << usage(info);
    return kExitUsage;
  }
  return std::nullopt;
}

void log_start(const core::LoadedSettings& loaded) {
  core::log_info("starting", {{"version", std::string(core::version())}, {"settings", loaded.source.string()}});
  for (const auto& [key, value] : core::masked_settings(loaded.settings)) {
    core::log_debug("setting", {{"key", key}, {"value", value}});
  }
  core::log_info("effective settings\n" + core::describe_settings(loaded.settings));
}

/// Runs the service until SIGTERM or SIGINT, then stops it within the stop deadline.
int run_until_signalled(const core::Settings& settings, const core::CommandLine& command_line, const ServiceInfo& info,
                        const detail::ServiceHooks& hooks, metrics::Registry& registry, const core::Clock& clock) {
  core::StopToken stop;
  Readiness readiness;
  // /healthz answers (and /readyz says "not ready") while the database is still being reached.
  std::unique_ptr<HealthServer> health_server;
  if (info.metrics_port) {
    health_server = std::make_unique<HealthServer>(registry, readiness, settings.metrics_bind_ip,
                                                   static_cast<int>(settings.*info.metrics_port));
    core::log_info("serving /metrics, /healthz and /readyz",
                   {{"port", std::to_string(health_server->port())}, {"address", settings.metrics_bind_ip}});
  }
  auto db = store::open_database(settings.database_driver, settings.database_url);
  bus::ConnectionOptions nats_options;
  nats_options.name = "vctp-" + info.name;
  nats_options.drain_timeout = info.nats_drain_timeout;
  auto nats = std::make_unique<bus::Connection>(settings, registry, nats_options);
  ServiceContext context{settings, registry, command_line, stop, readiness, clock, *db, *nats};

  auto service = hooks.make_service(context);
  service->start();
  readiness.set_started(true);
  core::log_info("running");
  const int sig = core::wait_for_termination_signal();
  core::log_info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  {
    StopWatchdog watchdog;
    readiness.set_started(false);
    stop.request_stop();
    service->stop();
    service.reset();
    nats.reset();  // drains within the deadline too
  }
  core::log_info("stopped");
  return 0;
}

}  // namespace

NoOptions parse_no_options(const std::vector<std::string>& rest) {
  if (!rest.empty()) throw core::UsageError("unknown option '" + rest.front() + "'");
  return {};
}

CommandContext::CommandContext(const core::Settings& s, metrics::Registry& m, const core::CommandLine& c,
                               const core::Clock& k, std::string client_name)
    : settings(s), metrics(m), command_line(c), clock(k), client_name_(std::move(client_name)) {}

CommandContext::~CommandContext() = default;

store::Database& CommandContext::db() {
  if (!db_) db_ = store::open_database(settings.database_driver, settings.database_url);
  return *db_;
}

bus::Connection* CommandContext::nats() {
  if (nats_tried_) return nats_.get();
  nats_tried_ = true;
  try {
    bus::ConnectionOptions options;
    options.name = client_name_;
    options.retry_on_failed_connect = false;
    nats_ = std::make_unique<bus::Connection>(settings, metrics, options);
    // Connected but no answer from JetStream is a NATS cluster electing a leader (a node just
    // lost): wait out an election (up to 9 s on nats-server 2.9) rather than drop the news.
    nats_->ensure_stream(bus::stream_config(settings), kJetStreamElection);
  } catch (const std::exception& e) {
    core::log_warn("NATS is not reachable: what this command does is not announced", {{"error", e.what()}});
    nats_.reset();
  }
  return nats_.get();
}

bool set_up_when_ready(const core::StopToken& stop, const std::string& what, const std::function<void()>& setup,
                       const std::function<void()>& undo, std::chrono::milliseconds retry_every) {
  while (!stop.stop_requested()) {
    try {
      setup();
      return true;
    } catch (const std::exception& e) {
      if (undo) undo();
      core::log_warn(what + " not ready; retrying", {{"error", e.what()},
                                                     {"retry_in_s", std::to_string(retry_every.count() / 1000)}});
    }
    if (stop.wait_for(retry_every)) break;
  }
  return false;
}

namespace detail {

int run_service(int argc, char** argv, const ServiceInfo& info, const ServiceHooks& hooks) {
  core::CommandLine command_line;
  try {
    command_line = core::parse_command_line(argc, argv);
  } catch (const core::UsageError& e) {
    std::cerr << "vctp-" << info.name << ": " << e.what() << "\n\n" << usage(info);
    return kExitUsage;
  }
  if (const auto code = handle_command_line(command_line, info, hooks)) return *code;

  core::LoadedSettings loaded;
  try {
    loaded = core::load_settings(command_line.settings_path);
  } catch (const core::SettingsError& e) {
    std::cerr << "vctp-" << info.name << ": invalid settings: " << e.what() << "\n";
    return kExitUsage;
  }
  const core::Settings& settings = loaded.settings;
  core::init_logging(info.name, settings.log_level, settings.log_output);
  for (const auto& warning : loaded.warnings) core::log_warn(warning);
  if (command_line.check_settings) {
    std::cout << "# " << loaded.source.string() << ": valid\n" << core::describe_settings(settings);
    return 0;
  }
  if (const auto error = create_directories(settings, info); !error.empty()) {
    core::log_error(error);
    std::cerr << "vctp-" << info.name << ": " << error << "\n";
    return kExitUsage;
  }

  core::block_termination_signals();
  metrics::Registry registry;
  hooks.make_metrics(registry, settings);
  const core::SystemClock clock;
  try {
    if (hooks.run_command) {
      CommandContext command(settings, registry, command_line, clock, "vctp-" + info.name + "-once");
      if (const auto code = hooks.run_command(command)) return *code;
    }
    log_start(loaded);
    return run_until_signalled(settings, command_line, info, hooks, registry, clock);
  } catch (const std::exception& e) {
    core::log_error("fatal error", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace detail

}  // namespace vctp::service

#include "vctp/service/service_main.hpp"

#include <atomic>
#include <csignal>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "vctp/core/logging.hpp"
#include "vctp/core/settings_schema.hpp"
#include "vctp/core/version.hpp"
#include "vctp/service/health_server.hpp"
#include "vctp/store/database.hpp"

namespace vctp::service {
namespace {

constexpr int kExitUsage = 2;
constexpr auto kStopDeadline = std::chrono::milliseconds(9500);

std::string usage(const ServiceDefinition& def) {
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
std::string create_directories(const core::Settings& settings, const ServiceDefinition& def) {
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

}  // namespace

void reject_options(const std::vector<std::string>& rest) {
  if (!rest.empty()) throw core::UsageError("unknown option '" + rest.front() + "'");
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

int run_service(int argc, char** argv, const ServiceDefinition& def) {
  core::CommandLine command_line;
  try {
    command_line = core::parse_command_line(argc, argv);
    if (command_line.show_help) {
      std::cout << usage(def);
      return 0;
    }
    if (command_line.print_reference) {
      std::cout << core::reference_settings_yaml();
      return 0;
    }
    if (command_line.show_version) {
      std::cout << "vctp-" << def.name << " " << core::version() << "\n";
      return 0;
    }
    (def.check_options ? def.check_options : reject_options)(command_line.rest);
  } catch (const core::UsageError& e) {
    std::cerr << "vctp-" << def.name << ": " << e.what() << "\n\n" << usage(def);
    return kExitUsage;
  }

  core::LoadedSettings loaded;
  try {
    loaded = core::load_settings(command_line.settings_path);
  } catch (const core::SettingsError& e) {
    std::cerr << "vctp-" << def.name << ": invalid settings: " << e.what() << "\n";
    return kExitUsage;
  }
  const core::Settings& settings = loaded.settings;

  core::init_logging(def.name, settings.log_level, settings.log_output);
  for (const auto& warning : loaded.warnings) core::log_warn(warning);

  if (command_line.check_settings) {
    std::cout << "# " << loaded.source.string() << ": valid\n" << core::describe_settings(settings);
    return 0;
  }

  if (const auto error = create_directories(settings, def); !error.empty()) {
    core::log_error(error);
    std::cerr << "vctp-" << def.name << ": " << error << "\n";
    return kExitUsage;
  }

  core::block_termination_signals();
  metrics::Registry registry;
  if (def.register_metrics) def.register_metrics(registry, settings);
  core::StopToken stop;
  Readiness readiness;
  ServiceContext context{settings, registry, command_line, stop, readiness};

  try {
    if (def.run_command) {
      if (const auto code = def.run_command(context)) return *code;
    }
    core::log_info("starting", {{"version", std::string(core::version())},
                                {"settings", loaded.source.string()}});
    for (const auto& [key, value] : core::masked_settings(settings)) {
      core::log_debug("setting", {{"key", key}, {"value", value}});
    }
    core::log_info("effective settings\n" + core::describe_settings(settings));

    std::unique_ptr<HealthServer> health_server;
    if (def.metrics_port) {
      health_server = std::make_unique<HealthServer>(registry, readiness, "0.0.0.0",
                                                     static_cast<int>(settings.*def.metrics_port));
      core::log_info("serving /metrics, /healthz and /readyz", {{"port", std::to_string(health_server->port())}});
    }

    auto service = def.make_service(context);
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
    }
    core::log_info("stopped");
    return 0;
  } catch (const std::exception& e) {
    core::log_error("fatal error", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace vctp::service

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vctp/core/command_line.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/core/shutdown.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/service/readiness.hpp"

namespace vctp::service {

/// What a service is built from: its settings, its metrics, the command line, a stop token,
/// and the readiness checks its /readyz runs (the service adds one per part it depends on).
struct ServiceContext {
  const core::Settings& settings;
  metrics::Registry& metrics;
  const core::CommandLine& command_line;
  core::StopToken& stop;
  Readiness& readiness;
};

/// A long-running service: start() launches its work and returns; stop() finishes or abandons
/// the current job and returns within a few seconds.
class Service {
 public:
  virtual ~Service() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
};

/// How one vctp binary differs from the others.
struct ServiceDefinition {
  std::string name;         ///< "collector", "aggregator", "reporter", "gateway"
  std::string description;  ///< one line for --help
  std::string extra_usage;  ///< help text of the service's own options
  /// The setting holding the port of this service's /metrics, /healthz and /readyz, or nullptr
  /// when it serves them itself.
  std::int64_t core::Settings::*metrics_port = nullptr;
  /// Whether the service writes reports_dir (created at start when missing, like the SQLite
  /// database's folder for every service).
  bool writes_reports = false;
  /// Validates the service's own options (command_line.rest); throws core::UsageError.
  std::function<void(const std::vector<std::string>&)> check_options;
  /// Registers the service's metrics so they read 0 before the first event (and before
  /// /metrics is served): the settings tell which labelled series exist (one per vCenter).
  std::function<void(metrics::Registry&, const core::Settings&)> register_metrics;
  /// Runs a one-shot command the options ask for (e.g. --once) and returns its exit code, or
  /// nullopt to run as a service.
  std::function<std::optional<int>(ServiceContext&)> run_command;
  /// Builds the running service.
  std::function<std::unique_ptr<Service>(ServiceContext&)> make_service;
};

/// The whole life of a vctp process: options, settings (exit 2 when bad), logging, metrics,
/// the service, and a clean stop on SIGTERM or SIGINT. Returns the process exit code.
int run_service(int argc, char** argv, const ServiceDefinition& definition);

/// Options without a value that are not the service's: rejects anything in `rest`.
void reject_options(const std::vector<std::string>& rest);

/// Calls `setup` (a service's JetStream stream and consumers) until it returns without throwing
/// or `stop` is requested, `retry_every` apart, logging each failure (with `what`) and calling
/// `undo` after it. NATS may come up after the service; run it on a thread of the service's
/// own, so that start() returns at once and a stop is never held up. Returns whether it is set up.
bool set_up_when_ready(const core::StopToken& stop, const std::string& what, const std::function<void()>& setup,
                       const std::function<void()>& undo = {},
                       std::chrono::milliseconds retry_every = std::chrono::seconds(5));

}  // namespace vctp::service

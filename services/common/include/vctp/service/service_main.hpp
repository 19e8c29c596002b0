#pragma once

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

namespace vctp::service {

/// What a service is built from: its settings, its metrics, the command line and a stop token.
struct ServiceContext {
  const core::Settings& settings;
  metrics::Registry& metrics;
  const core::CommandLine& command_line;
  core::StopToken& stop;
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
  /// The setting holding this service's metrics port, or nullptr when it serves /metrics itself.
  std::int64_t core::Settings::*metrics_port = nullptr;
  /// Validates the service's own options (command_line.rest); throws core::UsageError.
  std::function<void(const std::vector<std::string>&)> check_options;
  /// Registers the service's metrics so they read 0 before the first event.
  std::function<void(metrics::Registry&)> register_metrics;
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

}  // namespace vctp::service

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "vctp/core/command_line.hpp"
#include "vctp/core/settings.hpp"
#include "vctp/core/shutdown.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/service/readiness.hpp"

namespace vctp::core {
class Clock;
}
namespace vctp::store {
class Database;
}
namespace vctp::bus {
class Connection;
}

namespace vctp::service {

/// What a running service is built from, made once by run_service: its settings, the command
/// line, a stop token, the readiness checks its /readyz runs (the service adds one per part it
/// depends on), the clock, the database (opened) and the NATS connection (connecting in the
/// background while no server answers).
struct ServiceContext {
  const core::Settings& settings;
  metrics::Registry& metrics;
  const core::CommandLine& command_line;
  core::StopToken& stop;
  Readiness& readiness;
  const core::Clock& clock;
  store::Database& db;
  bus::Connection& nats;
};

/// How long a one-shot command waits for JetStream when NATS answers but JetStream does not: a
/// NATS cluster that just lost a node elects new leaders within this (at most 9 s on
/// nats-server 2.9), and an event given up earlier is lost to its consumers.
inline constexpr std::chrono::seconds kJetStreamElection{20};

/// What a one-shot command (e.g. --once) is run with: the same parts as a service, made when
/// first used, and NATS best effort: nats() is null when no server answers (a backfill must work
/// without NATS; the registry finds what it wrote).
class CommandContext {
 public:
  CommandContext(const core::Settings& settings, metrics::Registry& metrics, const core::CommandLine& command_line,
                 const core::Clock& clock, std::string client_name);
  ~CommandContext();
  CommandContext(const CommandContext&) = delete;
  CommandContext& operator=(const CommandContext&) = delete;

  const core::Settings& settings;
  metrics::Registry& metrics;
  const core::CommandLine& command_line;
  const core::Clock& clock;
  /// The database, opened on first use (throws store::StoreError when it cannot be).
  store::Database& db();
  /// The NATS connection with the suite's stream set up, or nullptr (logged) when NATS does not
  /// answer; tried once.
  bus::Connection* nats();

 private:
  std::string client_name_;
  std::unique_ptr<store::Database> db_;
  bool nats_tried_ = false;
  std::unique_ptr<bus::Connection> nats_;
};

/// A long-running service: start() launches its work and returns; stop() finishes or abandons
/// the current job and returns within a few seconds.
class Service {
 public:
  virtual ~Service() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
};

/// What every vctp binary has, whatever its options and metrics.
struct ServiceInfo {
  std::string name;         ///< "collector", "aggregator", "reporter", "gateway"
  std::string description;  ///< one line for --help
  std::string extra_usage;  ///< help text of the service's own options
  /// The setting holding the port of this service's /metrics, /healthz and /readyz, or nullptr
  /// when it serves them itself.
  std::int64_t core::Settings::*metrics_port = nullptr;
  /// Whether the service writes reports_dir (created at start when missing, like the SQLite
  /// database's folder for every service).
  bool writes_reports = false;
  /// How long the NATS connection lets pending work drain when the service stops.
  std::chrono::milliseconds nats_drain_timeout{5000};
};

/// How one vctp binary differs from the others: its typed options (parsed once, from what the
/// common options leave), its metrics struct (made once, before /metrics is served, so every
/// series reads 0 before the first event), a one-shot command and the running service.
/// `Metrics` is constructible from (metrics::Registry&, const core::Settings&) or (metrics::Registry&).
template <typename Options, typename Metrics>
struct ServiceDefinition {
  ServiceInfo info;
  /// Parses the service's own options (command_line.rest); throws core::UsageError.
  std::function<Options(const std::vector<std::string>&)> parse_options;
  /// Runs the one-shot command the options ask for and returns its exit code, or nullopt to run
  /// as a service. May be empty.
  std::function<std::optional<int>(CommandContext&, const Options&, Metrics&)> run_command;
  /// Builds the running service.
  std::function<std::unique_ptr<Service>(ServiceContext&, const Options&, Metrics&)> make_service;
};

namespace detail {

/// The type-erased hooks of a ServiceDefinition (see run_service below).
struct ServiceHooks {
  std::function<void(const std::vector<std::string>&)> parse_options;
  std::function<void(metrics::Registry&, const core::Settings&)> make_metrics;
  std::function<std::optional<int>(CommandContext&)> run_command;
  std::function<std::unique_ptr<Service>(ServiceContext&)> make_service;
};

int run_service(int argc, char** argv, const ServiceInfo& info, const ServiceHooks& hooks);

}  // namespace detail

/// The whole life of a vctp process: options, settings (exit 2 when bad), logging, metrics,
/// the database, NATS, the service, and a clean stop on SIGTERM or SIGINT. Returns the process
/// exit code.
template <typename Options, typename Metrics>
int run_service(int argc, char** argv, const ServiceDefinition<Options, Metrics>& definition) {
  std::optional<Options> options;
  std::unique_ptr<Metrics> service_metrics;
  detail::ServiceHooks hooks;
  hooks.parse_options = [&](const std::vector<std::string>& rest) { options = definition.parse_options(rest); };
  hooks.make_metrics = [&](metrics::Registry& registry, const core::Settings& settings) {
    if constexpr (std::is_constructible_v<Metrics, metrics::Registry&, const core::Settings&>) {
      service_metrics = std::make_unique<Metrics>(registry, settings);
    } else {
      service_metrics = std::make_unique<Metrics>(registry);
    }
  };
  if (definition.run_command) {
    hooks.run_command = [&](CommandContext& c) { return definition.run_command(c, *options, *service_metrics); };
  }
  hooks.make_service = [&](ServiceContext& c) { return definition.make_service(c, *options, *service_metrics); };
  return detail::run_service(argc, argv, definition.info, hooks);
}

/// The options of a service that has none of its own: refuses anything in `rest`.
struct NoOptions {};
NoOptions parse_no_options(const std::vector<std::string>& rest);

/// Calls `setup` (a service's JetStream stream and consumers) until it returns without throwing
/// or `stop` is requested, `retry_every` apart, logging each failure (with `what`) and calling
/// `undo` after it. NATS may come up after the service; run it on a thread of the service's
/// own, so that start() returns at once and a stop is never held up. Returns whether it is set up.
bool set_up_when_ready(const core::StopToken& stop, const std::string& what, const std::function<void()>& setup,
                       const std::function<void()>& undo = {},
                       std::chrono::milliseconds retry_every = std::chrono::seconds(5));

}  // namespace vctp::service

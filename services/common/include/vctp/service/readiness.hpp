#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace vctp::store {
class Database;
}
namespace vctp::bus {
class Connection;
}

namespace vctp::service {

/// What a service's /readyz answers: the named checks of the parts it depends on (its
/// database, its NATS connection). A check throws, with a message saying why, when its part
/// does not work. Until the service has started, it is not ready whatever the checks say.
class Readiness {
 public:
  using Check = std::function<void()>;

  /// The outcome of every check.
  struct Report {
    bool ready = false;
    /// Each check's name with "ok" or "unavailable: <why>", in the order they were added.
    std::vector<std::pair<std::string, std::string>> checks;
    /// Why it is not ready ("" when ready).
    std::string reason;
  };

  /// Adds a check (thread-safe; usually from a service's constructor).
  void add(std::string name, Check check);
  /// Marks the service started (after Service::start() returned) or stopping.
  void set_started(bool started);
  /// Runs every check now.
  Report evaluate() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Check>> checks_;
  bool started_ = false;
};

/// Adds the checks of a pipeline service: "database" (the database answers a query at once) and
/// "nats" (connected, and, when `set_up` is given, the service's stream and consumers set up).
/// Both objects must outlive the readiness checks' use (the service's lifetime).
void add_pipeline_checks(Readiness& readiness, store::Database& db, const bus::Connection& nats,
                         const std::atomic<bool>* set_up = nullptr);

/// The JSON body of a /readyz answer: {"status": "ready", "checks": {...}} or, when not ready,
/// {"error": "unavailable", "detail": reason, "checks": {...}}.
std::string readiness_json(const Readiness::Report& report);

}  // namespace vctp::service

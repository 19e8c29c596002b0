#pragma once

#include <atomic>
#include <functional>
#include <shared_mutex>
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
/// does not work. Checks run only while the service is started: before, and once it is
/// stopping (when the parts they use may be going away), it is not ready and runs none.
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
  /// Marks the service started (after Service::start() returned), or stopping: then it waits
  /// for checks in progress and forgets every check, so none touches a part being destroyed.
  void set_started(bool started);
  /// Runs every check now.
  Report evaluate() const;

 private:
  mutable std::shared_mutex mutex_;  ///< shared while checks run, exclusive to change them
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

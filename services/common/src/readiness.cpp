#include "vctp/service/readiness.hpp"

#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "vctp/bus/connection.hpp"
#include "vctp/store/database.hpp"

namespace vctp::service {

void Readiness::add(std::string name, Check check) {
  std::unique_lock lock(mutex_);
  checks_.emplace_back(std::move(name), std::move(check));
}

void Readiness::set_started(bool started) {
  std::unique_lock lock(mutex_);
  started_ = started;
  if (!started) checks_.clear();
}

Readiness::Report Readiness::evaluate() const {
  std::shared_lock lock(mutex_);
  Report report;
  if (!started_) {
    report.reason = "the service is not running (starting or stopping)";
    return report;
  }
  report.ready = true;
  for (const auto& [name, check] : checks_) {
    try {
      check();
      report.checks.emplace_back(name, "ok");
    } catch (const std::exception& e) {
      report.checks.emplace_back(name, std::string("unavailable: ") + e.what());
      if (report.ready) report.reason = name + " unavailable: " + e.what();
      report.ready = false;
    }
  }
  return report;
}

void add_pipeline_checks(Readiness& readiness, store::Database& db, const bus::Connection& nats,
                         const std::atomic<bool>* set_up) {
  readiness.add("database", [&db] { db.ping(); });
  readiness.add("nats", [&nats, set_up] {
    if (!nats.connected()) throw std::runtime_error("not connected to NATS");
    if (set_up && !set_up->load()) throw std::runtime_error("JetStream stream and consumers not set up yet");
  });
}

std::string readiness_json(const Readiness::Report& report) {
  nlohmann::json checks = nlohmann::json::object();
  for (const auto& [name, state] : report.checks) checks[name] = state;
  nlohmann::json body;
  if (report.ready) {
    body = {{"status", "ready"}, {"checks", checks}};
  } else {
    body = {{"error", "unavailable"}, {"detail", "not ready: " + report.reason}, {"checks", checks}};
  }
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace vctp::service

#include "request_tracker.hpp"

#include <algorithm>

namespace vctp::gateway {

void RequestTracker::add(const std::string& request_id, const std::string& kind, const std::string& period,
                         const std::string& requested_at) {
  std::lock_guard lock(mutex_);
  entries_[request_id] = Entry{request_id, kind, period, requested_at, std::nullopt, {}};
  order_.push_back(request_id);
  while (order_.size() > capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
}

void RequestTracker::complete(const AggregateOutcome& outcome) {
  {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(outcome.request_id);
    if (it == entries_.end()) return;
    it->second.outcome = outcome;
  }
  cv_.notify_all();
}

void RequestTracker::report_generated(const std::string& kind, const std::string& period, const std::string& file) {
  std::lock_guard lock(mutex_);
  for (auto& [id, entry] : entries_) {
    if (entry.kind != kind || entry.period != period || !entry.outcome || entry.outcome->status != "ok") continue;
    if (std::find(entry.reports.begin(), entry.reports.end(), file) == entry.reports.end()) entry.reports.push_back(file);
  }
}

std::optional<RequestTracker::Entry> RequestTracker::wait(const std::string& request_id,
                                                          std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [&] {
    if (shutdown_) return true;
    const auto it = entries_.find(request_id);
    return it == entries_.end() || it->second.outcome.has_value();
  });
  const auto it = entries_.find(request_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::optional<RequestTracker::Entry> RequestTracker::find(const std::string& request_id) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(request_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void RequestTracker::shutdown() {
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
  }
  cv_.notify_all();
}

}  // namespace vctp::gateway

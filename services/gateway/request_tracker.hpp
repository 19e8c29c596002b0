#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway_data.hpp"

namespace vctp::gateway {

/// The aggregations requested through this gateway and how they ended, so that a POST can
/// wait for its vctp.aggregate.completed and GET /api/requests/{id} can follow it later.
/// Keeps the last `capacity` requests. Thread-safe.
class RequestTracker {
 public:
  struct Entry {
    std::string request_id;
    std::string kind;
    std::string period;
    std::string requested_at;
    std::optional<AggregateOutcome> outcome;  ///< unset while pending
    std::vector<std::string> reports;         ///< report files generated from it (vctp.report.generated)
  };

  explicit RequestTracker(std::size_t capacity = 1000) : capacity_(capacity) {}

  void add(const std::string& request_id, const std::string& kind, const std::string& period,
           const std::string& requested_at);
  /// Records a completion; ignored when the request is not ours.
  void complete(const AggregateOutcome& outcome);
  /// Records a report file generated for (kind, period) with the requests of that period that
  /// completed successfully before it.
  void report_generated(const std::string& kind, const std::string& period, const std::string& file);
  /// Waits up to `timeout` for the request to complete; returns the entry either way (nullopt
  /// for an unknown id). Returns early after shutdown().
  std::optional<Entry> wait(const std::string& request_id, std::chrono::milliseconds timeout);
  std::optional<Entry> find(const std::string& request_id) const;
  /// Wakes every waiter (the gateway is stopping).
  void shutdown();

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, Entry> entries_;
  std::deque<std::string> order_;
  bool shutdown_ = false;
};

}  // namespace vctp::gateway

#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "test_support.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/core/settings.hpp"

namespace vctp::bus::test {

/// Settings pointing at `url`, everything else at its default.
inline core::Settings settings_for(const std::string& url) {
  core::Settings settings = core::Settings::defaults();
  settings.nats_url = url;
  return settings;
}

/// The URL of the CTest fixture's nats-server.
inline std::string fixture_url() {
  auto url = vctp::test::fixture_value("nats", "url");
  if (!url) throw std::runtime_error("the nats fixture is not running (run the tests through ctest)");
  return *url;
}

/// Reconnects quickly, so a restarted server is found again soon.
inline ConnectionOptions quick_reconnect() {
  ConnectionOptions options;
  options.name = "vctp-bus-test";
  options.reconnect_wait_min = std::chrono::milliseconds(50);
  options.reconnect_wait_max = std::chrono::milliseconds(500);
  return options;
}

inline ConsumerConfig consumer_config(const std::string& durable, std::string_view subject) {
  ConsumerConfig config;
  config.durable = durable;
  config.filter_subject = std::string(subject);
  config.ack_wait = std::chrono::seconds(10);
  config.max_deliver = 5;
  return config;
}

/// What a handler saw, thread-safe: how often each key arrived.
class Received {
 public:
  void add(const std::string& key) {
    std::lock_guard lock(mutex_);
    ++counts_[key];
    ++total_;
    cv_.notify_all();
  }
  /// Waits until `n` distinct keys arrived; false on timeout.
  bool wait_distinct(std::size_t n, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return counts_.size() >= n; });
  }
  /// Waits until every key of `keys` arrived; false on timeout.
  bool wait_all(const std::set<std::string>& keys, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] {
      for (const auto& k : keys) {
        if (!counts_.count(k)) return false;
      }
      return true;
    });
  }
  std::size_t distinct() const {
    std::lock_guard lock(mutex_);
    return counts_.size();
  }
  std::size_t total() const {
    std::lock_guard lock(mutex_);
    return total_;
  }
  std::size_t more_than_once() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [key, count] : counts_) n += count > 1 ? 1 : 0;
    return n;
  }
  std::set<std::string> keys() const {
    std::lock_guard lock(mutex_);
    std::set<std::string> out;
    for (const auto& [key, count] : counts_) out.insert(key);
    return out;
  }
  std::map<std::string, int> counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, int> counts_;
  std::size_t total_ = 0;
};

}  // namespace vctp::bus::test

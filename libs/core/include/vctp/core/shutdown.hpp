#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace vctp::core {

/// A one-way stop flag that background loops wait on, so a stop interrupts their sleeps.
class StopToken {
 public:
  void request_stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    cv_.notify_all();
  }
  bool stop_requested() const {
    std::lock_guard lock(mutex_);
    return stopped_;
  }
  /// Sleeps up to `d`; returns true if stop was requested meanwhile.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> d) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, d, [this] { return stopped_; });
  }
  template <class Clock, class Duration>
  bool wait_until(std::chrono::time_point<Clock, Duration> t) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_until(lock, t, [this] { return stopped_; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool stopped_ = false;
};

/// Blocks SIGTERM and SIGINT in the calling thread (call before starting threads, so they
/// inherit the mask) and returns; wait_for_termination_signal() then waits for one.
void block_termination_signals();

/// Waits for SIGTERM or SIGINT; returns the signal number.
int wait_for_termination_signal();

}  // namespace vctp::core

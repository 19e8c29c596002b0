#pragma once

#include <chrono>

namespace vctp::core {

/// Where "now" comes from, so that schedules and retention can be tested without waiting (tests
/// use FakeClock from tests/support/fake_clock.hpp).
class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace vctp::core

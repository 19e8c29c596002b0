#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace vctp::core {

/// Where random numbers come from (message ids, request ids, retry jitter), so that a test can
/// hand a component a seeded source and get the same ids every run. Implementations are
/// thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  /// A uniformly distributed 64-bit number.
  virtual std::uint64_t next() = 0;

  /// A uniformly distributed integer in [low, high] (low <= high).
  std::int64_t uniform(std::int64_t low, std::int64_t high);
  /// A random RFC 4122 version-4 UUID in lower-case hex, e.g. 1b4e28ba-2fa1-4d2b-883f-0016d3cca427.
  std::string uuid();
};

/// A source seeded from std::random_device (the default of every component).
Random& system_random();

/// A source that gives the same numbers for the same seed (for tests).
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed);
  std::uint64_t next() override;

 private:
  std::atomic<std::uint64_t> state_;
};

}  // namespace vctp::core

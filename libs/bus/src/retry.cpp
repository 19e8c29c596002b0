#include "retry.hpp"

#include <algorithm>
#include <thread>

namespace vctp::bus::detail {

std::chrono::milliseconds next_pause(std::chrono::milliseconds pause) {
  return std::min<std::chrono::milliseconds>(pause * 2, kMaxRetryPause);
}

Attempt failure(natsStatus status, jsErrCode js_error) {
  return is_transient(status, js_error) ? Attempt::kTransient : Attempt::kFailed;
}

Attempt retry_transient(std::chrono::milliseconds retry_for, const std::function<Attempt()>& attempt,
                        const std::function<void()>& after_pause) {
  const auto deadline = std::chrono::steady_clock::now() + retry_for;
  auto pause = kFirstRetryPause;
  while (true) {
    const Attempt result = attempt();
    if (result == Attempt::kAgainNow) continue;
    if (result != Attempt::kTransient) return result;
    if (std::chrono::steady_clock::now() + pause > deadline) return result;
    std::this_thread::sleep_for(pause);
    pause = next_pause(pause);
    if (after_pause) after_pause();
  }
}

}  // namespace vctp::bus::detail

#pragma once

#include <nats/nats.h>

#include <chrono>
#include <functional>

#include "nats_util.hpp"

namespace vctp::bus::detail {

/// How one attempt of a retried NATS call ended.
enum class Attempt {
  kDone,       ///< Succeeded.
  kFailed,     ///< Failed, and trying again will not help.
  kTransient,  ///< Failed, and may succeed after a pause.
  kAgainNow,   ///< Failed, but the cause was repaired: try again without a pause.
};

/// The first pause between attempts; each further pause doubles it, up to kMaxRetryPause.
inline constexpr std::chrono::milliseconds kFirstRetryPause{100};
inline constexpr std::chrono::milliseconds kMaxRetryPause{2000};

/// The pause after `pause`: twice as long, at most kMaxRetryPause.
std::chrono::milliseconds next_pause(std::chrono::milliseconds pause);

/// kTransient when is_transient(status, js_error), otherwise kFailed.
Attempt failure(natsStatus status, jsErrCode js_error = kNoJsError);

/// Runs `attempt` until it is done or fails for good. After a transient failure it sleeps
/// (kFirstRetryPause, doubling up to kMaxRetryPause) and tries again, unless the pause would end
/// after `retry_for` from the start; `after_pause` runs after each such pause. Returns the last
/// attempt's result: kDone, kFailed, or kTransient when time ran out. Exceptions from `attempt`
/// pass through.
Attempt retry_transient(std::chrono::milliseconds retry_for, const std::function<Attempt()>& attempt,
                        const std::function<void()>& after_pause = {});

}  // namespace vctp::bus::detail

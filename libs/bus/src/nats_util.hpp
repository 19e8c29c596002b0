#pragma once

#include <nats/nats.h>

#include <chrono>
#include <string>
#include <string_view>

#include "nats_handles.hpp"
#include "vctp/bus/connection.hpp"

namespace vctp::bus::detail {

/// "No JetStream error": what a jsErrCode holds before a call and after a call JetStream did not reject.
inline constexpr jsErrCode kNoJsError = static_cast<jsErrCode>(0);

/// "timeout (JetStream error 10059: stream not found)" and the like: the status, the JetStream
/// error code if any, and the library's last error text for this thread.
std::string describe_status(natsStatus status, jsErrCode js_error = kNoJsError);

/// Whether trying again later may succeed: timeouts, no responders, a connection that is down,
/// JetStream temporarily unavailable.
bool is_transient(natsStatus status, jsErrCode js_error = kNoJsError);

/// Copies a received message (subject, reply, data, headers, JetStream metadata if any).
Message to_message(natsMsg* msg);

/// Creates a message with headers. Throws BusError.
MsgPtr make_message(std::string_view subject, std::string_view payload,
                    const std::map<std::string, std::string>& headers);

/// Throws BusError (retryable per is_transient) unless status is NATS_OK.
void check(natsStatus status, std::string_view what, jsErrCode js_error = kNoJsError);

/// A printable excerpt of a payload for logs: at most `max` bytes, control and non-ASCII bytes
/// replaced by '?'.
std::string excerpt(std::string_view data, std::size_t max = 160);

inline std::int64_t to_nanos(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

}  // namespace vctp::bus::detail

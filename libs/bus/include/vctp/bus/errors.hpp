#pragma once

#include <stdexcept>
#include <string>

namespace vctp::bus {

/// Something the bus could not do. `retryable()` says whether trying again later may succeed
/// (NATS unreachable, a timeout) or not (bad configuration, a rejected message).
class BusError : public std::runtime_error {
 public:
  BusError(const std::string& message, bool retryable)
      : std::runtime_error(message), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

/// The connection could not be set up from the settings (bad URL, unreadable creds or CA file).
class ConnectError : public BusError {
 public:
  using BusError::BusError;
};

/// A JetStream publish that was not stored: the caller must treat the event as not sent.
class PublishError : public BusError {
 public:
  using BusError::BusError;
};

/// A payload that is not a valid event (not JSON, a field missing or of the wrong type, an
/// unknown enum value, a type that does not match the subject). Never retryable.
class InvalidEvent : public BusError {
 public:
  explicit InvalidEvent(const std::string& message) : BusError(message, false) {}
};

}  // namespace vctp::bus

#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "vctp/store/database.hpp"

namespace vctp::store {

/// The events one consumer has handled to the end (table handled_events). Delivery is at least
/// once: JetStream may deliver an acknowledged message again (after a server restart, say), and
/// a consumer whose work is not naturally idempotent (a report announced, a file written) asks
/// here first and skips what it did already.
class HandledEvents {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  /// How long an event is remembered: redeliveries come within minutes.
  static constexpr std::chrono::hours kKeep{24 * 7};

  HandledEvents(Database& db, std::string consumer) : db_(db), consumer_(std::move(consumer)) {}

  /// Whether `event_id` was handled by this consumer.
  bool contains(std::string_view event_id);
  /// Remembers `event_id` as handled at `now`, and forgets what was handled more than kKeep
  /// before `now`. Returns false when it was remembered already: of several processes adding
  /// the same id at once, one gets true (a claim).
  bool add(std::string_view event_id, TimePoint now);
  /// Forgets `event_id` (a claim given up because its work failed).
  void remove(std::string_view event_id);

 private:
  Database& db_;
  std::string consumer_;
};

}  // namespace vctp::store

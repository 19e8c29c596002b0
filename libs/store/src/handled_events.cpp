#include "vctp/store/handled_events.hpp"

namespace vctp::store {

bool HandledEvents::contains(std::string_view event_id) {
  return !db_.query("SELECT 1 FROM handled_events WHERE consumer = $1 AND event_id = $2",
                    {consumer_, std::string(event_id)})
              .empty();
}

bool HandledEvents::add(std::string_view event_id, TimePoint now) {
  return db_.transact([&](Transaction& tx) {
    const auto& d = tx.dialect();
    const auto added = tx.execute("INSERT INTO handled_events (consumer, event_id, handled_at) VALUES ($1, $2, " +
                                      d.timestamp_param(3) + ") ON CONFLICT (consumer, event_id) DO NOTHING",
                                  {consumer_, std::string(event_id), time_value(now)});
    tx.execute("DELETE FROM handled_events WHERE consumer = $1 AND handled_at < " + d.timestamp_param(2),
               {consumer_, time_value(now - kKeep)});
    return added > 0;
  });
}

void HandledEvents::remove(std::string_view event_id) {
  db_.execute("DELETE FROM handled_events WHERE consumer = $1 AND event_id = $2", {consumer_, std::string(event_id)});
}

}  // namespace vctp::store

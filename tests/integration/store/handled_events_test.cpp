#include <catch2/catch.hpp>

#include "backend_db.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/handled_events.hpp"

using namespace vctp;

TEST_CASE("handled events are remembered per consumer, an id is claimed once, old ones are forgotten") {
  const auto backend = GENERATE(from_range(test::all_backends()));
  test::BackendDb tdb(backend);
  INFO(tdb.driver());
  auto db = tdb.open();
  const auto now = *core::parse_iso8601("2026-11-24T13:00:00Z");
  store::HandledEvents reporter(*db, "reporter");
  store::HandledEvents aggregator(*db, "aggregator");

  CHECK_FALSE(reporter.contains("event-1"));
  CHECK(reporter.add("event-1", now));
  CHECK_FALSE(reporter.add("event-1", now));  // a claim: the second one to add the id is told so
  CHECK(reporter.contains("event-1"));
  CHECK_FALSE(aggregator.contains("event-1"));
  CHECK(db->query("SELECT COUNT(*) AS n FROM handled_events")[0].get_int("n") == 1);

  // Recording a newer event forgets what was handled more than a week before it.
  reporter.add("event-2", now + store::HandledEvents::kKeep + std::chrono::hours(1));
  CHECK_FALSE(reporter.contains("event-1"));
  CHECK(reporter.contains("event-2"));
  reporter.remove("event-2");  // a claim given up
  CHECK_FALSE(reporter.contains("event-2"));
  CHECK(reporter.add("event-2", now));
}

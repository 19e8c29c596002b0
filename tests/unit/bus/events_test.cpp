#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "sample_events.hpp"
#include "test_support.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/bus/events.hpp"

using namespace vctp::bus;
using vctp::bus::test::at;
using vctp::bus::test::for_each_event_type;
using vctp::bus::test::samples;
using nlohmann::json;

namespace {

/// Runs the Debian python3-jsonschema validator; returns its exit status and output.
vctp::test::CommandResult validate(std::string_view schema, const json& instances, const std::string& expect) {
  vctp::test::TempDir dir;
  vctp::test::write_file(dir / "instances.json", instances.dump());
  const auto root = vctp::test::source_dir();
  return vctp::test::run_command("/usr/bin/python3 " + (root / "tests/unit/bus/validate_schema.py").string() + " " +
                                 (root / "proto/schemas" / std::string(schema)).string() + " " +
                                 (dir / "instances.json").string() + " " + expect);
}

std::string_view schema_of(std::string_view subject) {
  for (const auto& info : event_subjects()) {
    if (info.subject == subject) return info.schema;
  }
  FAIL("no schema for " << subject);
  return {};
}

}  // namespace

TEST_CASE("every event type round-trips through JSON", "[bus][events]") {
  for_each_event_type([](auto tag) {
    using Event = decltype(tag);
    for (const Event& event : samples<Event>()) {
      const std::string text = serialize_event(event);
      INFO(text);
      const Event parsed = parse_event<Event>(text);
      CHECK(parsed == event);
      CHECK(json::parse(text).at("type") == std::string(Event::kSubject));
      CHECK(parse_envelope(text) == event.envelope);
      // nlohmann's own conversions give the same.
      CHECK(json::parse(text).get<Event>() == event);
    }
  });
}

TEST_CASE("every event the code builds validates against its schema in proto/", "[bus][events][schema]") {
  for_each_event_type([](auto tag) {
    using Event = decltype(tag);
    json instances = json::array();
    for (const Event& event : samples<Event>()) instances.push_back(json::parse(serialize_event(event)));
    const auto result = validate(schema_of(Event::kSubject), instances, "valid");
    INFO(Event::kSubject << ": " << result.output);
    CHECK(result.status == 0);
  });
}

TEST_CASE("the schemas reject what the parser rejects", "[bus][events][schema]") {
  for_each_event_type([](auto tag) {
    using Event = decltype(tag);
    const json good = json::parse(serialize_event(samples<Event>().front()));
    json bad = json::array();
    for (const char* member : {"id", "type", "time", "source"}) {
      json j = good;
      j.erase(member);
      bad.push_back(j);
    }
    json wrong_type = good;
    wrong_type["type"] = "vctp.something.else";
    bad.push_back(wrong_type);
    json extra = good;
    extra["surprise"] = 1;  // producers send exactly the schema's members
    bad.push_back(extra);
    json bad_id = good;
    bad_id["id"] = "not-a-uuid";
    bad.push_back(bad_id);
    if (good.contains("kind")) {
      json j = good;
      j["kind"] = "weekly";
      bad.push_back(j);
    }
    if (good.contains("rows")) {
      json j = good;
      j["rows"] = -1;
      bad.push_back(j);
    }
    const auto result = validate(schema_of(Event::kSubject), bad, "invalid");
    INFO(Event::kSubject << ": " << result.output);
    CHECK(result.status == 0);
    // And the C++ parser rejects the same ones, except the extra member it tolerates.
    for (const json& j : bad) {
      if (j.contains("surprise")) {
        CHECK_NOTHROW(parse_event<Event>(j.dump()));
      } else {
        INFO(j.dump());
        CHECK_THROWS_AS(parse_event<Event>(j.dump()), InvalidEvent);
      }
    }
  });
}

TEST_CASE("the schemas refuse periods out of range and successes without a table", "[bus][events][schema]") {
  json done = json::parse(serialize_event(samples<AggregateCompleted>()[1]));
  json no_table = done;
  no_table["table"] = "";
  json too_early = done;
  too_early["period"] = "1969-12";
  CHECK(validate(schema_of(AggregateCompleted::kSubject), json::array({no_table, too_early}), "invalid").status == 0);
  json request = json::parse(serialize_event(samples<AggregateRequested>().front()));
  json far = request;
  far["period"] = "2201-01-01";
  json offset = request;
  offset["time"] = "2026-11-24T10:00:00+99:99";
  CHECK(validate(schema_of(AggregateRequested::kSubject), json::array({far, offset}), "invalid").status == 0);
}

TEST_CASE("an invalid payload gives InvalidEvent, never a crash", "[bus][events]") {
  const std::string good = serialize_event(samples<SnapshotCompleted>().front());
  auto with = [&](const char* key, json value) {
    json j = json::parse(good);
    j[key] = std::move(value);
    return j.dump();
  };
  const std::vector<std::string> bad{
      "",
      "not json",
      "{\"id\":",
      "[]",
      "null",
      "42",
      "{}",
      "\xff\xfe\x00garbage",
      with("rows", "12"),
      with("rows", 1.5),
      with("rows", json(18446744073709551615ULL)),
      with("duration_s", -2),
      with("table", "snap; DROP TABLE x"),
      with("table", ""),
      with("period_start", "yesterday"),
      with("status", "done"),
      with("vcenter", 7),
      with("time", "2026-13-45T99:00:00Z"),
      with("type", "vctp.snapshot.requested"),
  };
  for (const auto& payload : bad) {
    INFO(payload);
    CHECK_THROWS_AS(parse_event<SnapshotCompleted>(payload), InvalidEvent);
  }
  json aggregate = json::parse(serialize_event(samples<AggregateRequested>().front()));
  aggregate["period"] = "2026-11";  // a month for a daily aggregation
  CHECK_THROWS_AS(parse_event<AggregateRequested>(aggregate.dump()), InvalidEvent);
  aggregate["period"] = "2026-02-30";
  CHECK_THROWS_AS(parse_event<AggregateRequested>(aggregate.dump()), InvalidEvent);
  aggregate["period"] = "2026-11-24";
  CHECK_NOTHROW(parse_event<AggregateRequested>(aggregate.dump()));
  // Periods outside core's period range (1970..2200) can never be summarised: refused here, so
  // that consumers terminate them at once instead of retrying.
  for (const char* out_of_range : {"1969-12-31", "2201-01-01", "0000-01-01", "9999-12-31"}) {
    INFO(out_of_range);
    aggregate["period"] = out_of_range;
    CHECK_THROWS_AS(parse_event<AggregateRequested>(aggregate.dump()), InvalidEvent);
  }
  for (const char* out_of_range : {"1969-12-31T23:00:00Z", "2201-01-01T00:00:00Z"}) {
    INFO(out_of_range);
    CHECK_THROWS_AS(parse_event<SnapshotCompleted>(with("period_start", out_of_range)), InvalidEvent);
  }
  // A completion that claims success must name its table and a period in range; a failed one
  // may quote any period and have no table.
  json done = json::parse(serialize_event(samples<AggregateCompleted>()[1]));
  done["table"] = "";
  CHECK_THROWS_AS(parse_event<AggregateCompleted>(done.dump()), InvalidEvent);
  done["table"] = "summary_monthly_000101";
  done["period"] = "0001-01";
  CHECK_THROWS_AS(parse_event<AggregateCompleted>(done.dump()), InvalidEvent);
  done["status"] = "failed";
  done["table"] = "";
  CHECK(parse_event<AggregateCompleted>(done.dump()).period == "0001-01");
  done["table"] = "no; table";
  CHECK_THROWS_AS(parse_event<AggregateCompleted>(done.dump()), InvalidEvent);
  // An event time past what 64-bit nanoseconds hold, or an offset that is no offset.
  for (const char* bad_time : {"9999-12-31T23:59:59Z", "2026-11-24T10:00:00+99:99", "2026-11-24T10:00:00+24:00",
                               "2026-11-24T10:00:00-00:60"}) {
    INFO(bad_time);
    CHECK_THROWS_AS(parse_event<SnapshotCompleted>(with("time", bad_time)), InvalidEvent);
  }

  // Random mutations of a good payload: parsed or rejected with InvalidEvent, nothing else.
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string mutated = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) mutated[rng() % mutated.size()] = static_cast<char>(rng() % 256);
    try {
      (void)parse_event<SnapshotCompleted>(mutated);
    } catch (const InvalidEvent&) {
    }
  }
}

TEST_CASE("an error text with invalid UTF-8 is still serialised", "[bus][events]") {
  AggregateCompleted event = samples<AggregateCompleted>().front();
  event.error = std::string("fault from vCenter: \xff\xfe bytes");
  const std::string text = serialize_event(event);
  const AggregateCompleted parsed = parse_event<AggregateCompleted>(text);
  REQUIRE(parsed.error.has_value());
  CHECK(parsed.error->find("fault from vCenter") == 0);
}

TEST_CASE("consumers ignore members they do not know", "[bus][events]") {
  const ReportGenerated event = samples<ReportGenerated>().front();
  json j = json::parse(serialize_event(event));
  j["added_in_a_later_version"] = {{"x", 1}};
  CHECK(parse_event<ReportGenerated>(j.dump()) == event);
}

TEST_CASE("scheduled job ids are the same on every replica", "[bus][events]") {
  CHECK(snapshot_job_id("vc1.example.com", at("2026-11-25T10:42:13Z")) == "snapshot:vc1.example.com:2026112510");
  CHECK(snapshot_job_id("vc1", at("2026-11-25T10:00:00Z")) == snapshot_job_id("vc1", at("2026-11-25T10:59:59Z")));
  CHECK(snapshot_job_id("vc1", at("2026-11-25T10:00:00Z")) != snapshot_job_id("vc1", at("2026-11-25T11:00:00Z")));
  CHECK(aggregate_job_id(AggregateKind::kDaily, "2026-11-24") == "aggregate:daily:2026-11-24");
  CHECK(aggregate_job_id(AggregateKind::kMonthly, "2026-10") == "aggregate:monthly:2026-10");
}

TEST_CASE("envelopes get a fresh UUID and whole seconds", "[bus][events]") {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = new_uuid();
    REQUIRE(id.size() == 36);
    CHECK(id[14] == '4');
    ids.insert(id);
  }
  CHECK(ids.size() == 1000);
  const auto e = make_envelope(SnapshotRequested::kSubject, "gateway",
                               at("2026-11-25T10:00:05Z") + std::chrono::milliseconds(750));
  CHECK(e.time == at("2026-11-25T10:00:05Z"));
  CHECK(e.type == "vctp.snapshot.requested");
  SnapshotRequested stamped;
  stamp(stamped, "ops", at("2026-11-25T10:00:00Z"));
  const std::string first_id = stamped.envelope.id;
  stamp(stamped, "ops", at("2026-11-25T11:00:00Z"));
  CHECK(stamped.envelope.id == first_id);  // stamping twice keeps the first envelope
}

TEST_CASE("durable names have no dots", "[bus][events]") {
  CHECK(durable_name("aggregator", "vctp.snapshot.completed") == "aggregator-vctp-snapshot-completed");
}

TEST_CASE("reply subjects: only inboxes, never the pipeline's or JetStream's subjects", "[bus]") {
  CHECK(vctp::bus::is_reply_subject("_INBOX.hxqtVPHDtOCAs8CQhlvbbN"));
  CHECK(vctp::bus::is_reply_subject("_INBOX.abc.def"));
  CHECK_FALSE(vctp::bus::is_reply_subject("vctp.snapshot.requested"));
  CHECK_FALSE(vctp::bus::is_reply_subject("vctp.aggregate.completed"));
  CHECK_FALSE(vctp::bus::is_reply_subject("$JS.API.STREAM.DELETE.VCTP"));
  CHECK_FALSE(vctp::bus::is_reply_subject("$SYS.REQ.SERVER.PING"));
  CHECK_FALSE(vctp::bus::is_reply_subject(""));
  CHECK_FALSE(vctp::bus::is_reply_subject("_INBOX."));
  CHECK_FALSE(vctp::bus::is_reply_subject("_INBOX"));
  CHECK_FALSE(vctp::bus::is_reply_subject("_INBOX.>"));
  CHECK_FALSE(vctp::bus::is_reply_subject("_INBOX.*"));
  CHECK_FALSE(vctp::bus::is_reply_subject("_INBOX.a..b"));
  CHECK_FALSE(vctp::bus::is_reply_subject("_INBOX.a."));
  CHECK_FALSE(vctp::bus::is_reply_subject("_INBOX.a b"));
  CHECK_FALSE(vctp::bus::is_reply_subject("_INBOX.a\r\nPUB vctp.x 0"));
  CHECK_FALSE(vctp::bus::is_reply_subject("_INBOXvctp.snapshot.requested"));
  CHECK_FALSE(vctp::bus::is_reply_subject("_INBOX." + std::string(300, 'a')));
}

TEST_CASE("vctp.report.generated: only file names the reporter writes are valid", "[bus]") {
  auto event = samples<ReportGenerated>().front();
  for (const char* file : {"../../../../etc/passwd", "/etc/passwd", "reports/vctp_daily_20261124.xlsx", "notes.xlsx",
                           "vctp_daily_20261124.xlsx\n"}) {
    INFO(file);
    event.file = file;
    CHECK_THROWS_AS(parse_event<ReportGenerated>(serialize_event(event)), InvalidEvent);
  }
  event.file = "vctp_daily_20261124.xlsx";
  CHECK(parse_event<ReportGenerated>(serialize_event(event)).file == "vctp_daily_20261124.xlsx");
}

#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "vctp/bus/errors.hpp"
#include "vctp/core/random.hpp"

namespace vctp::bus {

using TimePoint = std::chrono::system_clock::time_point;

/// What every event carries besides its payload.
struct Envelope {
  std::string id{};      ///< A random UUID (v4), unique per event.
  std::string type{};    ///< The event's subject, e.g. "vctp.snapshot.completed".
  TimePoint time{};    ///< When it was produced (UTC, whole seconds; ISO 8601 on the wire).
  std::string source{};  ///< The producing service: "collector", "aggregator", "reporter", "gateway", "ops".
  bool operator==(const Envelope&) const = default;
};

/// The granularity of a snapshot table or a report.
enum class PeriodKind { kHourly, kDaily, kMonthly };
/// What an aggregation produces.
enum class AggregateKind { kDaily, kMonthly };
/// How a job ended: "ok", "partial" (done with some inputs missing or failing) or "failed".
enum class JobStatus { kOk, kPartial, kFailed };

std::string_view to_string(PeriodKind kind);
std::string_view to_string(AggregateKind kind);
std::string_view to_string(JobStatus status);
std::optional<PeriodKind> parse_period_kind(std::string_view text);
std::optional<AggregateKind> parse_aggregate_kind(std::string_view text);
std::optional<JobStatus> parse_job_status(std::string_view text);

/// `vctp.snapshot.requested`: take an hourly snapshot now (of one vCenter, or of all).
struct SnapshotRequested {
  static constexpr std::string_view kSubject = "vctp.snapshot.requested";
  Envelope envelope{};
  std::optional<std::string> vcenter{};  ///< Absent: every configured vCenter.
  bool operator==(const SnapshotRequested&) const = default;
};

/// `vctp.snapshot.completed`: a snapshot or summary table was written (or failed).
struct SnapshotCompleted {
  static constexpr std::string_view kSubject = "vctp.snapshot.completed";
  Envelope envelope{};
  PeriodKind kind = PeriodKind::kHourly;
  std::string table{};                   ///< e.g. snap_hourly_2026112513 ([A-Za-z0-9_]+).
  std::optional<std::string> vcenter{};  ///< The vCenter of an hourly snapshot.
  TimePoint period_start{};            ///< Start of the hour, day or month (UTC).
  std::int64_t rows = 0;
  double duration_s = 0;
  JobStatus status = JobStatus::kOk;
  std::optional<std::string> error{};    ///< What went wrong, when status is not ok.
  bool operator==(const SnapshotCompleted&) const = default;
};

/// `vctp.aggregate.requested`: (re)build the daily or monthly summary of a period.
struct AggregateRequested {
  static constexpr std::string_view kSubject = "vctp.aggregate.requested";
  Envelope envelope{};
  AggregateKind kind = AggregateKind::kDaily;
  std::string period{};      ///< YYYY-MM-DD (daily) or YYYY-MM (monthly), validated.
  std::string request_id{};  ///< Echoed in the matching vctp.aggregate.completed.
  bool operator==(const AggregateRequested&) const = default;
};

/// `vctp.aggregate.completed`: a summary table was built (or failed). A failed one (a refused
/// request) quotes the period as requested, however malformed, and may have an empty table.
struct AggregateCompleted {
  static constexpr std::string_view kSubject = "vctp.aggregate.completed";
  Envelope envelope{};
  AggregateKind kind = AggregateKind::kDaily;
  std::string period{};                     ///< YYYY-MM-DD or YYYY-MM (when not failed).
  std::string table{};                      ///< e.g. summary_daily_20261124; may be "" when failed.
  std::int64_t rows = 0;
  std::optional<std::string> request_id{};  ///< Set when the aggregation answered a request.
  JobStatus status = JobStatus::kOk;
  std::optional<std::string> error{};
  bool operator==(const AggregateCompleted&) const = default;
};

/// `vctp.report.generated`: a report file was written into reports_dir.
struct ReportGenerated {
  static constexpr std::string_view kSubject = "vctp.report.generated";
  Envelope envelope{};
  PeriodKind kind = PeriodKind::kDaily;
  std::string period{};  ///< 2026-11-24T13:00:00Z (hourly), 2026-11-24 (daily) or 2026-11 (monthly).
  std::string file{};    ///< The file name inside reports_dir.
  std::int64_t bytes = 0;
  bool operator==(const ReportGenerated&) const = default;
};

/// Every event type, for code (and tests) that must handle them all.
using EventTypes =
    std::tuple<SnapshotRequested, SnapshotCompleted, AggregateRequested, AggregateCompleted, ReportGenerated>;

/// One subject of the suite: its schema file under proto/schemas/, who publishes it and who
/// consumes it. proto/asyncapi.yaml documents exactly these (a test checks).
struct SubjectInfo {
  std::string_view subject{};
  std::string_view schema{};
  std::vector<std::string_view> producers{};
  std::vector<std::string_view> consumers{};
};

/// Every subject the services publish or consume.
const std::vector<SubjectInfo>& event_subjects();

/// A new random UUID (version 4), lower-case hex with dashes.
std::string new_uuid(core::Random& random = core::system_random());

/// A fresh envelope: new id, the given type and source, `now` truncated to whole seconds.
Envelope make_envelope(std::string_view type, std::string_view source, TimePoint now);

/// Fills `event.envelope` (id, type, time, source) if its id is empty; returns the event.
template <class Event>
Event& stamp(Event& event, std::string_view source, TimePoint now) {
  if (event.envelope.id.empty()) event.envelope = make_envelope(Event::kSubject, source, now);
  return event;
}

/// The envelope of any event payload. Throws InvalidEvent.
Envelope parse_envelope(std::string_view payload);

/// Parses and validates a payload as `Event` (its `type` must be Event::kSubject). Unknown
/// members are ignored, so older consumers accept events from newer producers. Throws
/// InvalidEvent, never anything else.
template <class Event>
Event parse_event(std::string_view payload);

/// The JSON text of an event (the envelope's members and the payload's, in one object).
template <class Event>
std::string serialize_event(const Event& event);

/// The `Nats-Msg-Id` of a scheduled snapshot job: "snapshot:<vcenter>:<YYYYMMDDHH>" (UTC hour),
/// so every replica's scheduler produces the same id for the same hour and JetStream keeps one.
std::string snapshot_job_id(std::string_view vcenter, TimePoint hour);

/// The `Nats-Msg-Id` of a scheduled aggregation: "aggregate:<kind>:<period>".
std::string aggregate_job_id(AggregateKind kind, std::string_view period);

void to_json(nlohmann::json& j, const Envelope& e);
void to_json(nlohmann::json& j, const SnapshotRequested& e);
void to_json(nlohmann::json& j, const SnapshotCompleted& e);
void to_json(nlohmann::json& j, const AggregateRequested& e);
void to_json(nlohmann::json& j, const AggregateCompleted& e);
void to_json(nlohmann::json& j, const ReportGenerated& e);
/// These throw InvalidEvent for anything that does not match the schema.
void from_json(const nlohmann::json& j, Envelope& e);
void from_json(const nlohmann::json& j, SnapshotRequested& e);
void from_json(const nlohmann::json& j, SnapshotCompleted& e);
void from_json(const nlohmann::json& j, AggregateRequested& e);
void from_json(const nlohmann::json& j, AggregateCompleted& e);
void from_json(const nlohmann::json& j, ReportGenerated& e);

}  // namespace vctp::bus

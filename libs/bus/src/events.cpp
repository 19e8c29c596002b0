#include "vctp/bus/events.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "vctp/core/report_file_name.hpp"
#include "vctp/core/time_format.hpp"

namespace vctp::bus {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 3> kPeriodKinds{"hourly", "daily", "monthly"};
constexpr std::array<std::string_view, 2> kAggregateKinds{"daily", "monthly"};
constexpr std::array<std::string_view, 3> kStatuses{"ok", "partial", "failed"};
constexpr std::size_t kMaxTableName = 63;
/// The longest period a failed vctp.aggregate.completed quotes (the aggregator cuts it to 64).
constexpr std::size_t kMaxRefusedPeriod = 64;

template <class Enum, std::size_t N>
std::optional<Enum> parse_enum(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

bool is_table_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTableName) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_uuid(std::string_view id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string years_allowed() {
  return " in the years " + std::to_string(static_cast<int>(core::kFirstPeriodYear)) + " to " +
         std::to_string(static_cast<int>(core::kLastPeriodYear));
}

/// Reads the members of one JSON object, throwing InvalidEvent with the member's name.
class Reader {
 public:
  Reader(const json& j, std::string_view what) : j_(j), what_(what) {
    if (!j_.is_object()) fail("", "a JSON object");
  }

  [[noreturn]] void fail(std::string_view key, std::string_view expected) const {
    std::string message = "invalid ";
    message += what_;
    if (!key.empty()) {
      message += ": member '";
      message += key;
      message += "'";
    }
    message += " must be ";
    message += expected;
    throw InvalidEvent(message);
  }

  const json* find(const char* key) const {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::string string(const char* key) const {
    const json* v = find(key);
    if (!v || !v->is_string() || v->get_ref<const std::string&>().empty()) fail(key, "a non-empty string");
    return v->get<std::string>();
  }

  std::optional<std::string> optional_string(const char* key) const {
    const json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string() || v->get_ref<const std::string&>().empty()) fail(key, "a non-empty string when present");
    return v->get<std::string>();
  }

  std::int64_t count(const char* key) const {
    const json* v = find(key);
    if (!v || !v->is_number_integer()) fail(key, "an integer >= 0");
    if (v->is_number_unsigned()) {
      const auto u = v->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) fail(key, "an integer >= 0 within 64 bits");
      return static_cast<std::int64_t>(u);
    }
    const auto n = v->get<std::int64_t>();
    if (n < 0) fail(key, "an integer >= 0");
    return n;
  }

  double seconds(const char* key) const {
    const json* v = find(key);
    if (!v || !v->is_number()) fail(key, "a number >= 0");
    const double d = v->get<double>();
    if (!std::isfinite(d) || d < 0) fail(key, "a number >= 0");
    return d;
  }

  TimePoint time(const char* key) const {
    const json* v = find(key);
    if (!v || !v->is_string()) fail(key, "an ISO 8601 UTC time");
    auto t = core::parse_iso8601(v->get_ref<const std::string&>());
    if (!t) fail(key, "an ISO 8601 UTC time");
    return *t;
  }

  std::string table(const char* key) const {
    std::string name = string(key);
    if (!is_table_name(name)) fail(key, "a table name ([A-Za-z0-9_]+, at most 63 characters)");
    return name;
  }

  std::string report_file(const char* key) const {
    std::string name = string(key);
    if (!core::is_report_file_name(name)) {
      fail(key, "a report file name such as vctp_daily_20261124.xlsx (no directory)");
    }
    return name;
  }

  PeriodKind period_kind(const char* key) const {
    const json* v = find(key);
    if (!v || !v->is_string()) fail(key, "one of hourly, daily, monthly");
    auto k = parse_period_kind(v->get_ref<const std::string&>());
    if (!k) fail(key, "one of hourly, daily, monthly");
    return *k;
  }

  AggregateKind aggregate_kind(const char* key) const {
    const json* v = find(key);
    if (!v || !v->is_string()) fail(key, "one of daily, monthly");
    auto k = parse_aggregate_kind(v->get_ref<const std::string&>());
    if (!k) fail(key, "one of daily, monthly");
    return *k;
  }

  JobStatus status(const char* key) const {
    const json* v = find(key);
    if (!v || !v->is_string()) fail(key, "one of ok, partial, failed");
    auto s = parse_job_status(v->get_ref<const std::string&>());
    if (!s) fail(key, "one of ok, partial, failed");
    return *s;
  }

  /// A period matching `kind` in the period range (core::in_period_range): YYYY-MM-DD for daily,
  /// YYYY-MM for monthly, an ISO time for hourly.
  std::string period(const char* key, PeriodKind kind) const {
    std::string text = string(key);
    bool ok = false;
    switch (kind) {
      case PeriodKind::kHourly: {
        const auto t = core::parse_iso8601(text);
        ok = t && core::in_period_range(*t);
        break;
      }
      case PeriodKind::kDaily: {
        const auto d = text.size() == 10 ? core::parse_day(text) : std::nullopt;
        ok = d && core::in_period_range(d->year());
        break;
      }
      case PeriodKind::kMonthly: {
        const auto m = text.size() == 7 ? core::parse_month(text) : std::nullopt;
        ok = m && core::in_period_range(m->year());
        break;
      }
    }
    if (!ok) {
      fail(key, std::string(kind == PeriodKind::kDaily     ? "a day YYYY-MM-DD"
                            : kind == PeriodKind::kMonthly ? "a month YYYY-MM"
                                                           : "an ISO 8601 UTC hour") +
                    years_allowed());
    }
    return text;
  }

  /// The start of a period (an ISO 8601 time) in the period range.
  TimePoint period_start(const char* key) const {
    const TimePoint t = time(key);
    if (!core::in_period_range(t)) fail(key, "an ISO 8601 UTC time" + years_allowed());
    return t;
  }

  /// A string, possibly empty, of at most `max_length` characters; "" when absent.
  std::string text(const char* key, std::size_t max_length) const {
    const json* v = find(key);
    if (!v) return {};
    if (!v->is_string() || v->get_ref<const std::string&>().size() > max_length) {
      fail(key, "a string of at most " + std::to_string(max_length) + " characters");
    }
    return v->get<std::string>();
  }

 private:
  const json& j_;
  std::string_view what_;
};

PeriodKind as_period(AggregateKind kind) {
  return kind == AggregateKind::kDaily ? PeriodKind::kDaily : PeriodKind::kMonthly;
}

void read_envelope(const json& j, Envelope& e, std::string_view expected_type) {
  from_json(j, e);
  if (!expected_type.empty() && e.type != expected_type) {
    throw InvalidEvent("invalid event: type '" + e.type + "' where '" + std::string(expected_type) +
                       "' was expected");
  }
}

void put_optional(json& j, const char* key, const std::optional<std::string>& value) {
  if (value) j[key] = *value;
}

json parse_json(std::string_view payload) {
  try {
    return json::parse(payload.begin(), payload.end());
  } catch (const json::exception& e) {
    throw InvalidEvent(std::string("invalid event: not JSON (") + e.what() + ")");
  }
}

TimePoint whole_seconds(TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t); }

}  // namespace

std::string_view to_string(PeriodKind kind) { return kPeriodKinds[static_cast<std::size_t>(kind)]; }
std::string_view to_string(AggregateKind kind) { return kAggregateKinds[static_cast<std::size_t>(kind)]; }
std::string_view to_string(JobStatus status) { return kStatuses[static_cast<std::size_t>(status)]; }
std::optional<PeriodKind> parse_period_kind(std::string_view text) { return parse_enum<PeriodKind>(kPeriodKinds, text); }
std::optional<AggregateKind> parse_aggregate_kind(std::string_view text) {
  return parse_enum<AggregateKind>(kAggregateKinds, text);
}
std::optional<JobStatus> parse_job_status(std::string_view text) { return parse_enum<JobStatus>(kStatuses, text); }

const std::vector<SubjectInfo>& event_subjects() {
  static const std::vector<SubjectInfo> kSubjects{
      {SnapshotRequested::kSubject, "snapshot_requested.json", {"gateway", "ops", "collector"}, {"collector"}},
      {SnapshotCompleted::kSubject, "snapshot_completed.json", {"collector", "aggregator"}, {"aggregator", "reporter"}},
      {AggregateRequested::kSubject, "aggregate_requested.json", {"gateway", "ops", "aggregator"}, {"aggregator"}},
      {AggregateCompleted::kSubject, "aggregate_completed.json", {"aggregator"}, {"reporter", "gateway"}},
      {ReportGenerated::kSubject, "report_generated.json", {"reporter"}, {"gateway"}},
  };
  return kSubjects;
}

std::string new_uuid(core::Random& random) { return random.uuid(); }

Envelope make_envelope(std::string_view type, std::string_view source, TimePoint now) {
  return Envelope{new_uuid(), std::string(type), whole_seconds(now), std::string(source)};
}

std::string snapshot_job_id(std::string_view vcenter, TimePoint hour) {
  const std::time_t t = std::chrono::system_clock::to_time_t(core::floor_hour(hour));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
  return "snapshot:" + std::string(vcenter) + ":" + buf;
}

std::string aggregate_job_id(AggregateKind kind, std::string_view period) {
  return "aggregate:" + std::string(to_string(kind)) + ":" + std::string(period);
}

void to_json(json& j, const Envelope& e) {
  j = json{{"id", e.id}, {"type", e.type}, {"time", core::format_iso8601(e.time)}, {"source", e.source}};
}

void from_json(const json& j, Envelope& e) {
  Reader r(j, "event envelope");
  Envelope out;
  out.id = r.string("id");
  if (!is_uuid(out.id)) r.fail("id", "a UUID");
  out.type = r.string("type");
  out.time = whole_seconds(r.time("time"));
  out.source = r.string("source");
  e = std::move(out);
}

void to_json(json& j, const SnapshotRequested& e) {
  to_json(j, e.envelope);
  put_optional(j, "vcenter", e.vcenter);
}

void from_json(const json& j, SnapshotRequested& e) {
  SnapshotRequested out;
  read_envelope(j, out.envelope, SnapshotRequested::kSubject);
  Reader r(j, SnapshotRequested::kSubject);
  out.vcenter = r.optional_string("vcenter");
  e = std::move(out);
}

void to_json(json& j, const SnapshotCompleted& e) {
  to_json(j, e.envelope);
  j["kind"] = to_string(e.kind);
  j["table"] = e.table;
  put_optional(j, "vcenter", e.vcenter);
  j["period_start"] = core::format_iso8601(e.period_start);
  j["rows"] = e.rows;
  j["duration_s"] = e.duration_s;
  j["status"] = to_string(e.status);
  put_optional(j, "error", e.error);
}

void from_json(const json& j, SnapshotCompleted& e) {
  SnapshotCompleted out;
  read_envelope(j, out.envelope, SnapshotCompleted::kSubject);
  Reader r(j, SnapshotCompleted::kSubject);
  out.kind = r.period_kind("kind");
  out.table = r.table("table");
  out.vcenter = r.optional_string("vcenter");
  out.period_start = whole_seconds(r.period_start("period_start"));
  out.rows = r.count("rows");
  out.duration_s = r.seconds("duration_s");
  out.status = r.status("status");
  out.error = r.optional_string("error");
  e = std::move(out);
}

void to_json(json& j, const AggregateRequested& e) {
  to_json(j, e.envelope);
  j["kind"] = to_string(e.kind);
  j["period"] = e.period;
  j["request_id"] = e.request_id;
}

void from_json(const json& j, AggregateRequested& e) {
  AggregateRequested out;
  read_envelope(j, out.envelope, AggregateRequested::kSubject);
  Reader r(j, AggregateRequested::kSubject);
  out.kind = r.aggregate_kind("kind");
  out.period = r.period("period", as_period(out.kind));
  out.request_id = r.string("request_id");
  e = std::move(out);
}

void to_json(json& j, const AggregateCompleted& e) {
  to_json(j, e.envelope);
  j["kind"] = to_string(e.kind);
  j["period"] = e.period;
  j["table"] = e.table;
  j["rows"] = e.rows;
  put_optional(j, "request_id", e.request_id);
  j["status"] = to_string(e.status);
  put_optional(j, "error", e.error);
}

void from_json(const json& j, AggregateCompleted& e) {
  AggregateCompleted out;
  read_envelope(j, out.envelope, AggregateCompleted::kSubject);
  Reader r(j, AggregateCompleted::kSubject);
  out.kind = r.aggregate_kind("kind");
  out.status = r.status("status");
  if (out.status == JobStatus::kFailed) {
    // A refusal quotes the period as it was requested (which may be what is wrong with it) and
    // built no table.
    out.period = r.text("period", kMaxRefusedPeriod);
    out.table = r.text("table", kMaxTableName);
    if (!out.table.empty() && !is_table_name(out.table)) r.fail("table", "empty or a table name");
  } else {
    out.period = r.period("period", as_period(out.kind));
    out.table = r.table("table");
  }
  out.rows = r.count("rows");
  out.request_id = r.optional_string("request_id");
  out.error = r.optional_string("error");
  e = std::move(out);
}

void to_json(json& j, const ReportGenerated& e) {
  to_json(j, e.envelope);
  j["kind"] = to_string(e.kind);
  j["period"] = e.period;
  j["file"] = e.file;
  j["bytes"] = e.bytes;
}

void from_json(const json& j, ReportGenerated& e) {
  ReportGenerated out;
  read_envelope(j, out.envelope, ReportGenerated::kSubject);
  Reader r(j, ReportGenerated::kSubject);
  out.kind = r.period_kind("kind");
  out.period = r.period("period", out.kind);
  out.file = r.report_file("file");
  out.bytes = r.count("bytes");
  e = std::move(out);
}

Envelope parse_envelope(std::string_view payload) {
  Envelope e;
  from_json(parse_json(payload), e);
  return e;
}

template <class Event>
Event parse_event(std::string_view payload) {
  const json j = parse_json(payload);
  Event e;
  try {
    from_json(j, e);
  } catch (const InvalidEvent&) {
    throw;
  } catch (const std::exception& ex) {
    throw InvalidEvent(std::string("invalid ") + std::string(Event::kSubject) + ": " + ex.what());
  }
  return e;
}

template <class Event>
std::string serialize_event(const Event& event) {
  json j;
  to_json(j, event);
  // An error text from a remote system may hold invalid UTF-8: replace it rather than throw.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

template SnapshotRequested parse_event<SnapshotRequested>(std::string_view);
template SnapshotCompleted parse_event<SnapshotCompleted>(std::string_view);
template AggregateRequested parse_event<AggregateRequested>(std::string_view);
template AggregateCompleted parse_event<AggregateCompleted>(std::string_view);
template ReportGenerated parse_event<ReportGenerated>(std::string_view);
template std::string serialize_event<SnapshotRequested>(const SnapshotRequested&);
template std::string serialize_event<SnapshotCompleted>(const SnapshotCompleted&);
template std::string serialize_event<AggregateRequested>(const AggregateRequested&);
template std::string serialize_event<AggregateCompleted>(const AggregateCompleted&);
template std::string serialize_event<ReportGenerated>(const ReportGenerated&);

}  // namespace vctp::bus

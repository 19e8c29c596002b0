#include "aggregation_events.hpp"

#include <nlohmann/json.hpp>

#include "vctp/bus/errors.hpp"

namespace vctp::aggregator {

std::vector<Period> days_closed_by(const bus::SnapshotCompleted& event) {
  if (event.kind != bus::PeriodKind::kHourly || event.status == bus::JobStatus::kFailed) return {};
  const auto since_midnight =
      event.period_start - std::chrono::floor<std::chrono::days>(event.period_start);
  const auto hour = std::chrono::duration_cast<std::chrono::hours>(since_midnight).count();
  const auto day = Period::containing(SummaryKind::kDaily, event.period_start);
  if (hour == 23) return {day};
  if (hour == 0) return {day.previous()};
  return {};
}

std::optional<Period> month_closed_by(const Period& day) {
  if (day.kind() != SummaryKind::kDaily) return std::nullopt;
  const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(day.start())};
  if (d.day() != std::chrono::day{1}) return std::nullopt;
  return Period::containing(SummaryKind::kMonthly, day.start()).previous();
}

ReceivedRequest parse_request(std::string_view payload) {
  ReceivedRequest out;
  try {
    const auto event = bus::parse_event<bus::AggregateRequested>(payload);
    out.kind = event.kind == bus::AggregateKind::kDaily ? SummaryKind::kDaily : SummaryKind::kMonthly;
    out.period = event.period;
    out.request_id = event.request_id;
    return out;
  } catch (const bus::InvalidEvent& e) {
    out.error = e.what();
  }
  const auto j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return out;
  const auto text = [&](const char* key) -> std::string {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>().substr(0, 128) : std::string();
  };
  out.request_id = text("request_id");
  out.period = text("period");
  const auto kind = text("kind");
  if (kind == "daily") out.kind = SummaryKind::kDaily;
  if (kind == "monthly") out.kind = SummaryKind::kMonthly;
  return out;
}

bus::AggregateCompleted completed_event(const AggregationOutcome& outcome,
                                        const std::optional<std::string>& request_id) {
  bus::AggregateCompleted event;
  event.kind = outcome.kind == SummaryKind::kDaily ? bus::AggregateKind::kDaily
                                                   : bus::AggregateKind::kMonthly;
  event.period = outcome.period;
  event.table = outcome.table;
  event.rows = outcome.rows;
  event.request_id = request_id;
  event.status = outcome.ok ? bus::JobStatus::kOk : bus::JobStatus::kFailed;
  if (!outcome.ok) event.error = outcome.error;
  return event;
}

bus::SnapshotCompleted summary_snapshot_event(const AggregationOutcome& outcome,
                                              const Period& period) {
  bus::SnapshotCompleted event;
  event.kind = period.kind() == SummaryKind::kDaily ? bus::PeriodKind::kDaily : bus::PeriodKind::kMonthly;
  event.table = outcome.table;
  event.period_start = period.start();
  event.rows = outcome.rows;
  event.duration_s = std::chrono::duration<double>(outcome.duration).count();
  event.status = outcome.ok ? bus::JobStatus::kOk : bus::JobStatus::kFailed;
  if (!outcome.ok) event.error = outcome.error;
  return event;
}

}  // namespace vctp::aggregator

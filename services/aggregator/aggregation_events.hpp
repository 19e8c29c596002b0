#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator.hpp"
#include "period.hpp"
#include "vctp/bus/events.hpp"

namespace vctp::aggregator {

/// The days an hourly snapshot closes: its hour is the last of a day (23:00) or the first of
/// the next (00:00, closing the day before). Other snapshots, and failed ones, close nothing.
std::vector<Period> days_closed_by(const bus::SnapshotCompleted& event);

/// The month the first day of a month closes (the previous month), if `day` is such a day.
std::optional<Period> month_closed_by(const Period& day);

/// An aggregation request as received: parsed strictly when it is a valid event, otherwise
/// read leniently so that a malformed one still gets an answer naming what is wrong.
struct ReceivedRequest {
  std::optional<SummaryKind> kind;
  std::string period;
  std::string request_id;
  /// Why the request cannot be run as given (empty when it parsed).
  std::string error;
};

ReceivedRequest parse_request(std::string_view payload);

/// The vctp.aggregate.completed event of an aggregation.
bus::AggregateCompleted completed_event(const AggregationOutcome& outcome,
                                        const std::optional<std::string>& request_id);

/// The vctp.snapshot.completed event of a summary table that was built.
bus::SnapshotCompleted summary_snapshot_event(const AggregationOutcome& outcome,
                                              const Period& period);

}  // namespace vctp::aggregator

#pragma once

#include <cstdint>
#include <string>

namespace vctp::aggregator {

/// What building one summary table did.
struct SummaryResult {
  std::string table;
  std::int64_t rows = 0;          ///< Rows of the summary table (one per VM).
  std::int64_t input_tables = 0;  ///< Hourly tables (daily) or daily summaries (monthly) read.
};

}  // namespace vctp::aggregator

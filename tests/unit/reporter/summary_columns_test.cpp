#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "store_report_source.hpp"
#include "vctp/store/summary_columns.hpp"

using namespace vctp;

namespace {

std::optional<store::ColumnSpec> find(const std::vector<store::ColumnSpec>& specs, std::string_view name) {
  for (const auto& s : specs) {
    if (s.name == name) return s;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("reporter: every summary column a report reads is one the summaries have with the same type", "[reporter]") {
  for (const auto kind : {store::SnapshotKind::kDaily, store::SnapshotKind::kMonthly}) {
    const auto written = store::summary_columns(kind);
    for (const auto& column : reporter::summary_vm_columns()) {
      INFO(std::string(column.name));
      const auto spec = find(written, column.name);
      REQUIRE(spec);
      // The same type, or an integer column read into a double (max_vcpu): a widening, never a loss.
      const bool widened = spec->type == store::ColumnType::kInt && column.type() == store::ColumnType::kReal;
      CHECK((spec->type == column.type() || widened));
    }
  }
  // The one column the reader adds for monthly reports.
  CHECK(find(store::summary_columns(store::SnapshotKind::kMonthly), "days_present"));
  CHECK_FALSE(find(store::summary_columns(store::SnapshotKind::kDaily), "days_present"));
}

#include <catch2/catch.hpp>

#include <filesystem>

#include "report_generator.hpp"
#include "test_support.hpp"
#include "vctp/core/clock.hpp"
#include "vctp/core/time_format.hpp"
#include "xlsx_writer.hpp"

using namespace vctp::reporter;
namespace fs = std::filesystem;

namespace {

class FakeSource final : public ReportSource {
 public:
  int vms = 3;
  HourlyReportData hourly(const ReportPeriod& period) override {
    HourlyReportData d{period, {}};
    for (int i = 0; i < vms; ++i) {
      SnapshotVm vm;
      vm.name = "vm" + std::to_string(i);
      vm.tenant = i == 0 ? "scratch" : "web";
      vm.vcpu_count = 2;
      d.vms.push_back(vm);
    }
    return d;
  }
  DailyReportData daily(const ReportPeriod& period) override {
    throw NoReportData("no daily summary of " + period.label());
  }
  MonthlyReportData monthly(const ReportPeriod& period) override { return {period, {}, {}, {}, {}}; }
};

struct RecordingCatalog final : ReportCatalog {
  std::vector<GeneratedReport> recorded;
  bool fail = false;
  void record(const GeneratedReport& r) override {
    if (fail) throw std::runtime_error("database is locked");
    recorded.push_back(r);
  }
};

struct RecordingAnnouncer final : ReportAnnouncer {
  std::vector<GeneratedReport> announced;
  void announce(const GeneratedReport& r) override { announced.push_back(r); }
};

struct Rig {
  vctp::test::TempDir dir;
  vctp::metrics::Registry registry;
  ReporterMetrics metrics{registry};
  vctp::core::FakeClock clock{*vctp::core::parse_iso8601("2026-11-24T14:00:00Z")};
  FakeSource source;
  RecordingCatalog catalog;
  RecordingAnnouncer announcer;
  ChargePolicy policy;
  std::unique_ptr<ReportGenerator> generator;

  explicit Rig(const fs::path& reports = {}) {
    policy.tenants_to_filter = {"scratch"};
    generator = std::make_unique<ReportGenerator>(source, &catalog, &announcer, reports.empty() ? dir.path() : reports,
                                                  policy, clock, metrics);
  }
  double failures(ReportKind kind, const std::string& reason) { return metrics.failures(kind, reason).value(); }
};

const ReportPeriod kHour = *ReportPeriod::parse(ReportKind::kHourly, "2026-11-24T13");

}  // namespace

TEST_CASE("generator: writes, records, announces and counts a report", "[reporter]") {
  Rig rig;
  const auto report = rig.generator->generate(kHour);
  CHECK(report.file_name == "vctp_hourly_2026112413.xlsx");
  CHECK(report.rows == 2);  // the scratch tenant is filtered
  CHECK(report.bytes == static_cast<std::int64_t>(fs::file_size(rig.dir / report.file_name)));
  REQUIRE(rig.catalog.recorded.size() == 1);
  CHECK(rig.catalog.recorded[0].period.short_label() == "2026-11-24T13");
  REQUIRE(rig.announcer.announced.size() == 1);
  CHECK(rig.metrics.reports_available.value() == 1);
  CHECK(rig.metrics.generated(ReportKind::kHourly).value() == 1);

  // A file appearing or disappearing shows at the next recount.
  vctp::test::write_file(rig.dir / "vctp_daily_20261124.xlsx", "x");
  vctp::test::write_file(rig.dir / "unrelated.txt", "x");
  CHECK(rig.generator->recount() == 2);
  fs::remove(rig.dir / report.file_name);
  CHECK(rig.generator->recount() == 1);
  CHECK(rig.metrics.reports_available.value() == 1);
}

TEST_CASE("generator: no data is an error, counted, with no file", "[reporter]") {
  Rig rig;
  rig.source.vms = 0;
  CHECK_THROWS_AS(rig.generator->generate(kHour), NoReportData);
  CHECK_THROWS_AS(rig.generator->generate(*ReportPeriod::parse(ReportKind::kDaily, "2026-11-24")), NoReportData);
  CHECK_THROWS_AS(rig.generator->generate(*ReportPeriod::parse(ReportKind::kMonthly, "2026-11")), NoReportData);
  CHECK(rig.failures(ReportKind::kHourly, "no_data") == 1);
  CHECK(rig.failures(ReportKind::kDaily, "no_data") == 1);
  CHECK(rig.failures(ReportKind::kMonthly, "no_data") == 1);
  CHECK(fs::is_empty(rig.dir.path()));
  CHECK(rig.catalog.recorded.empty());
}

TEST_CASE("generator: a missing reports_dir fails with a clear error and a metric", "[reporter]") {
  vctp::test::TempDir parent;
  Rig rig(parent / "absent");
  try {
    rig.generator->generate(kHour);
    FAIL("no error");
  } catch (const ReportWriteError& e) {
    CHECK_THAT(e.what(), Catch::Contains("reports_dir") && Catch::Contains("absent"));
  }
  CHECK(rig.failures(ReportKind::kHourly, "write") == 1);
  CHECK(rig.metrics.reports_available.value() == 0);
}

TEST_CASE("generator: a catalog failure is counted and reported", "[reporter]") {
  Rig rig;
  rig.catalog.fail = true;
  CHECK_THROWS_WITH(rig.generator->generate(kHour), Catch::Contains("locked"));
  CHECK(rig.failures(ReportKind::kHourly, "catalog") == 1);
  CHECK(rig.announcer.announced.empty());
}

TEST_CASE("xlsx writer: refuses a sheet larger than a worksheet, leaving the caller to clean up", "[reporter]") {
  vctp::test::TempDir dir;
  WorkbookSpec spec;
  SheetSpec s;
  s.name = "Big";
  s.columns = {Column{"A", CellFormat::kInteger, 8, TotalKind::kNone}};
  s.row_count = 2'000'000;
  s.fill_row = [](std::size_t r, std::vector<Cell>& cells) { cells[0] = static_cast<double>(r); };
  spec.sheets.push_back(s);
  CHECK_THROWS_WITH(write_xlsx(spec, dir / "big.xlsx"), Catch::Contains("more than a worksheet can hold"));
}

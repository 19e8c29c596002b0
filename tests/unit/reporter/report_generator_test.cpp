#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "fake_clock.hpp"
#include "report_generator.hpp"
#include "staged_file.hpp"
#include "test_support.hpp"
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
  int monthly_vms = 0;
  MonthlyReportData monthly(const ReportPeriod& period) override {
    MonthlyReportData d{period, {}, {}, {}, {}};
    for (int i = 0; i < monthly_vms; ++i) {
      SummaryVm vm;
      vm.vcenter = "vc1";
      vm.vcenter_uuid = "uuid-vc-1";
      vm.name = "vm" + std::to_string(i);
      vm.tenant = "web";
      vm.presence = 1;
      vm.avg_vcpu = 2;
      d.vms.push_back(vm);
    }
    return d;
  }
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
  vctp::test::FakeClock clock{*vctp::core::parse_iso8601("2026-11-24T14:00:00Z")};
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
const ReportPeriod kMonth = *ReportPeriod::parse(ReportKind::kMonthly, "2026-11");

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

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
  CHECK(fs::is_empty(rig.dir.path()));  // no file left that the catalog does not list
}

TEST_CASE("generator: a monthly report's FOCUS CSV is recorded and counted with it", "[reporter]") {
  Rig rig;
  rig.source.monthly_vms = 2;
  const auto report = rig.generator->generate(kMonth);
  CHECK(files_in(rig.dir.path()) ==
        std::vector<std::string>{"vctp_monthly_202611.xlsx", "vctp_monthly_202611_focus.csv"});
  REQUIRE(rig.catalog.recorded.size() == 1);
  const auto& recorded = rig.catalog.recorded[0];
  CHECK(recorded.file_name == "vctp_monthly_202611.xlsx");
  REQUIRE(recorded.companion_files == std::vector<std::string>{"vctp_monthly_202611_focus.csv"});
  REQUIRE(recorded.companion_bytes.size() == 1);
  CHECK(recorded.companion_bytes[0] ==
        static_cast<std::int64_t>(fs::file_size(rig.dir / "vctp_monthly_202611_focus.csv")));
  CHECK(rig.metrics.reports_available.value() == 2);

  // Regenerating replaces both files.
  rig.generator->generate(kMonth);
  CHECK(files_in(rig.dir.path()).size() == 2);
  CHECK(rig.metrics.reports_available.value() == 2);
}

TEST_CASE("generator: a failed monthly report leaves no orphan CSV, and keeps the files it replaced", "[reporter]") {
  Rig rig;
  rig.source.monthly_vms = 2;
  rig.catalog.fail = true;
  CHECK_THROWS(rig.generator->generate(kMonth));
  CHECK(fs::is_empty(rig.dir.path()));
  CHECK(rig.metrics.reports_available.value() == 0);

  rig.catalog.fail = false;
  rig.generator->generate(kMonth);
  rig.catalog.fail = true;
  CHECK_THROWS(rig.generator->generate(kMonth));
  // Listed by the first generation: still there to download.
  CHECK(files_in(rig.dir.path()) ==
        std::vector<std::string>{"vctp_monthly_202611.xlsx", "vctp_monthly_202611_focus.csv"});
  CHECK(rig.failures(ReportKind::kMonthly, "catalog") == 2);
}

TEST_CASE("generator: report files are readable by others, less the umask", "[reporter]") {
  /// Sets the process's umask for the test (tests run on one thread), restoring it after.
  struct UmaskGuard {
    explicit UmaskGuard(mode_t mask) : old(::umask(mask)) {}
    ~UmaskGuard() { ::umask(old); }
    mode_t old;
  };
  using P = fs::perms;
  Rig rig;
  rig.source.monthly_vms = 1;
  {
    UmaskGuard guard(027);
    rig.generator->generate(kMonth);
  }
  for (const char* file : {"vctp_monthly_202611.xlsx", "vctp_monthly_202611_focus.csv"}) {
    INFO(file);
    CHECK(fs::status(rig.dir / file).permissions() == (P::owner_read | P::owner_write | P::group_read));
  }
  {
    UmaskGuard guard(022);
    rig.generator->generate(kHour);
  }
  CHECK(fs::status(rig.dir / "vctp_hourly_2026112413.xlsx").permissions() ==
        (P::owner_read | P::owner_write | P::group_read | P::others_read));
}

TEST_CASE("the umask is read from /proc/<pid>/status without changing it", "[reporter]") {
  CHECK(parse_status_umask("Name:\tvctp-reporter\nUmask:\t0022\nState:\tS (sleeping)\n") == 022u);
  CHECK(parse_status_umask("Umask:\t0077") == 077u);
  CHECK(parse_status_umask("Umask: 0\n") == 0u);
  CHECK_FALSE(parse_status_umask("Name:\tx\nState:\tR\n"));
  CHECK_FALSE(parse_status_umask("Umask:\tzz\n"));
  CHECK_FALSE(parse_status_umask("Umask:\t01777\n"));
  CHECK_FALSE(parse_status_umask(""));
  // This process's own mask, as umask(2) would tell.
  const auto text = vctp::test::read_file("/proc/self/status");
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK(parse_status_umask(text) == static_cast<unsigned>(mask));
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

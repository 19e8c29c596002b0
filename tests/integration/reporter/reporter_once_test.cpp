#include <catch2/catch.hpp>

#include <sys/mount.h>

#include <filesystem>

#include "report_seed.hpp"
#include "test_support.hpp"
#include "vctp/store/database.hpp"

using namespace vctp::test;
namespace fs = std::filesystem;

namespace {

std::string reporter_binary() { return binary_dir().string() + "/bin/vctp-reporter"; }

std::string checker() { return (source_dir() / "tests/integration/reporter/check_report.py").string(); }

/// A seeded database and a settings file pointing at it and at `reports`.
struct Setup {
  TempDir dir;
  fs::path db = dir / "vctp.sqlite3";
  fs::path reports = dir / "reports";
  fs::path settings = dir / "vctp.yml";

  explicit Setup(bool with_rates = true) {
    reporter::seed_database(db);
    fs::create_directories(reports);
    write_file(settings, reporter::reporter_settings(db, reports, with_rates));
  }
  CommandResult once(const std::string& kind, const std::string& period, const fs::path& reports_dir = {}) const {
    std::string env;
    if (!reports_dir.empty()) env = "VCTP_REPORTS_DIR=" + reports_dir.string() + " ";
    return run_command(env + reporter_binary() + " -settings " + settings.string() + " --once " + kind + " " + period);
  }
  CommandResult check(const std::string& kind, const fs::path& xlsx, const std::string& extra = "") const {
    return run_command("/usr/bin/python3 " + checker() + " " + kind + " " + xlsx.string() + " " + db.string() + " " + extra);
  }
};

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::int64_t report_rows(const fs::path& db, const std::string& file) {
  auto database = vctp::store::open_database("sqlite", db.string());
  const auto rs = database->query("SELECT COUNT(*) AS n FROM reports WHERE file_name = $1", {file});
  return rs[0].get_int("n");
}

/// "kind period bytes" of the reports row of `file` ("" when there is none).
std::string report_row(const fs::path& db, const std::string& file) {
  auto database = vctp::store::open_database("sqlite", db.string());
  const auto rs = database->query("SELECT kind, period, bytes FROM reports WHERE file_name = $1", {file});
  if (rs.empty()) return "";
  return rs[0].get_text("kind") + " " + rs[0].get_text("period") + " " + std::to_string(rs[0].get_int("bytes"));
}

/// A small tmpfs mounted for the test (the tests run as root), unmounted at the end.
class SmallTmpfs {
 public:
  SmallTmpfs(const fs::path& where, const std::string& options) : where_(where) {
    fs::create_directories(where_);
    mounted_ = ::mount("tmpfs", where_.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path where_;
  bool mounted_ = false;
};

}  // namespace

TEST_CASE("reporter --once hourly: every total equals the snapshot table's sums", "[reporter]") {
  Setup s;
  const auto r = s.once("hourly", "2026-11-24T13");
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(files_in(s.reports) == std::vector<std::string>{"vctp_hourly_2026112413.xlsx"});
  const auto check = s.check("hourly", s.reports / "vctp_hourly_2026112413.xlsx");
  INFO(check.output);
  CHECK(check.status == 0);
  CHECK(report_rows(s.db, "vctp_hourly_2026112413.xlsx") == 1);
  // Readable by others (the gateway), not mkstemp's 0600.
  const auto perms = fs::status(s.reports / "vctp_hourly_2026112413.xlsx").permissions();
  CHECK((perms & fs::perms::others_read) != fs::perms::none);
}

TEST_CASE("reporter --once daily: usage, costs, node-hours and completeness equal the database", "[reporter]") {
  Setup s;
  const auto r = s.once("daily", "2026-11-24");
  INFO(r.output);
  REQUIRE(r.status == 0);
  const auto check = s.check("daily", s.reports / "vctp_daily_20261124.xlsx");
  INFO(check.output);
  CHECK(check.status == 0);

  // Regenerating replaces the report (one file, one row in reports).
  const auto again = s.once("daily", "2026-11-24");
  INFO(again.output);
  REQUIRE(again.status == 0);
  CHECK(files_in(s.reports) == std::vector<std::string>{"vctp_daily_20261124.xlsx"});
  CHECK(report_rows(s.db, "vctp_daily_20261124.xlsx") == 1);
}

TEST_CASE("reporter --once monthly: charts, tenant costs and a FOCUS CSV that adds up", "[reporter]") {
  Setup s;
  const auto r = s.once("monthly", "2026-11");
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(files_in(s.reports) ==
        std::vector<std::string>{"vctp_monthly_202611.xlsx", "vctp_monthly_202611_focus.csv"});
  const auto check = s.check("monthly", s.reports / "vctp_monthly_202611.xlsx",
                             "--focus " + (s.reports / "vctp_monthly_202611_focus.csv").string());
  INFO(check.output);
  CHECK(check.status == 0);
  CHECK(report_rows(s.db, "vctp_monthly_202611.xlsx") == 1);
  // The FOCUS CSV is listed too (the gateway serves only listed files), under its own name.
  CHECK(report_row(s.db, "vctp_monthly_202611_focus.csv") ==
        "monthly 2026-11 " + std::to_string(fs::file_size(s.reports / "vctp_monthly_202611_focus.csv")));

  // Regenerating replaces both files and both rows.
  const auto again = s.once("monthly", "2026-11");
  INFO(again.output);
  REQUIRE(again.status == 0);
  CHECK(files_in(s.reports) ==
        std::vector<std::string>{"vctp_monthly_202611.xlsx", "vctp_monthly_202611_focus.csv"});
  CHECK(report_rows(s.db, "vctp_monthly_202611.xlsx") == 1);
  CHECK(report_rows(s.db, "vctp_monthly_202611_focus.csv") == 1);
}

TEST_CASE("reporter --once: a summary without the aggregator's node-hours is an error, not a guess", "[reporter]") {
  Setup s;
  vctp::store::open_database("sqlite", s.db.string())->execute("DROP TABLE summary_daily_nodes_20261124");
  const auto r = s.once("daily", "2026-11-24");
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK_THAT(r.output, Catch::Contains("summary_daily_nodes_20261124"));
  CHECK(files_in(s.reports).empty());
  CHECK(report_rows(s.db, "vctp_daily_20261124.xlsx") == 0);
}

TEST_CASE("reporter --once without a rate card: no cost columns, FOCUS costs zero", "[reporter]") {
  Setup s(false);
  REQUIRE(s.once("daily", "2026-11-24").status == 0);
  const auto daily = s.check("daily", s.reports / "vctp_daily_20261124.xlsx", "--no-rates");
  INFO(daily.output);
  CHECK(daily.status == 0);
  REQUIRE(s.once("monthly", "2026-11").status == 0);
  const auto monthly = s.check("monthly", s.reports / "vctp_monthly_202611.xlsx",
                               "--no-rates --focus " + (s.reports / "vctp_monthly_202611_focus.csv").string());
  INFO(monthly.output);
  CHECK(monthly.status == 0);
}

TEST_CASE("reporter --once: a period without data is an error, not an empty report", "[reporter]") {
  Setup s;
  for (const auto& [kind, period] : std::vector<std::pair<std::string, std::string>>{
           {"hourly", "2026-11-24T03"}, {"daily", "2026-11-20"}, {"monthly", "2026-10"}}) {
    INFO(kind << " " << period);
    const auto r = s.once(kind, period);
    CHECK(r.status == 1);
    CHECK_THAT(r.output, Catch::Contains("no " + kind + " report for"));
  }
  CHECK(files_in(s.reports).empty());
}

TEST_CASE("reporter --once: a bad period or kind is a usage error", "[reporter]") {
  Setup s;
  CHECK(s.once("daily", "2026-13-01").status == 2);
  CHECK(s.once("daily", "2026-11-24T13").status == 2);
  CHECK(s.once("weekly", "2026-11").status == 2);
  CHECK(run_command(reporter_binary() + " -settings " + s.settings.string() + " --once daily").status == 2);
}

TEST_CASE("reporter --once: a full reports_dir fails the report and leaves no partial file", "[reporter]") {
  Setup s;
  const fs::path full = s.dir / "full";
  SmallTmpfs tmpfs(full, "size=12k");
  REQUIRE(tmpfs.mounted());
  const auto r = s.once("monthly", "2026-11", full);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK_THAT(r.output, Catch::Contains("cannot write"));
  CHECK(files_in(full).empty());
  CHECK(report_rows(s.db, "vctp_monthly_202611.xlsx") == 0);
  CHECK(report_rows(s.db, "vctp_monthly_202611_focus.csv") == 0);
}

TEST_CASE("reporter --once: a read-only reports_dir fails the report and leaves nothing", "[reporter]") {
  Setup s;
  const fs::path ro = s.dir / "ro";
  SmallTmpfs tmpfs(ro, "size=1m,mode=0755");
  REQUIRE(tmpfs.mounted());
  REQUIRE(::mount(nullptr, ro.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0);
  const auto r = s.once("daily", "2026-11-24", ro);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK_THAT(r.output, Catch::Contains("cannot write") && Catch::Contains("reports_dir"));
  CHECK(files_in(ro).empty());
}

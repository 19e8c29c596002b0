#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "report_seed.hpp"
#include "test_support.hpp"
#include "vctp/store/database.hpp"

using namespace vctp::test;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& file) {
  const auto value = fixture_value("postgres", file);
  if (!value) throw std::runtime_error("the postgres fixture is not running: run the tests through ctest");
  return *value;
}

void psql(const std::string& sql) {
  const auto r = run_command(fixture("bindir") + "/psql -X -q -v ON_ERROR_STOP=1 '" + fixture("superuser_dsn") +
                             "' -c \"" + sql + "\"");
  if (r.status != 0) throw std::runtime_error("psql failed: " + sql + ": " + r.output);
}

/// A PostgreSQL database of its own, dropped at the end.
struct PostgresDb {
  std::string name = "vctp_reporter_" + std::to_string(::getpid());
  std::string url;
  PostgresDb() {
    psql("DROP DATABASE IF EXISTS " + name);
    psql("CREATE DATABASE " + name + " OWNER vctp");
    const auto dsn = fixture("dsn");
    url = dsn.substr(0, dsn.rfind('/') + 1) + name;
  }
  ~PostgresDb() {
    try {
      psql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (const std::exception&) {
    }
  }
};

}  // namespace

TEST_CASE("reporter --once on PostgreSQL: the same reports as from SQLite with the same data", "[reporter]") {
  PostgresDb pg;
  TempDir dir;
  const fs::path sqlite = dir / "same-data.sqlite3";
  const fs::path reports = dir / "reports";
  fs::create_directories(reports);
  reporter::seed_database("postgres", pg.url, 60);
  reporter::seed_database(sqlite, 60);  // identical data, for the checker (it reads SQLite)
  write_file(dir / "vctp.yml", reporter::reporter_settings(pg.url, reports, true, "", "postgres"));
  const std::string reporter = binary_dir().string() + "/bin/vctp-reporter -settings " + (dir / "vctp.yml").string();
  const std::string checker =
      "/usr/bin/python3 " + (source_dir() / "tests/integration/reporter/check_report.py").string() + " ";

  for (const auto& [kind, period, file] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"hourly", "2026-11-24T13", "vctp_hourly_2026112413.xlsx"},
           {"daily", "2026-11-24", "vctp_daily_20261124.xlsx"},
           {"monthly", "2026-11", "vctp_monthly_202611.xlsx"}}) {
    INFO(kind);
    const auto r = run_command(reporter + " --once " + kind + " " + period);
    INFO(r.output);
    REQUIRE(r.status == 0);
    std::string extra;
    if (kind == "monthly") extra = " --focus " + (reports / "vctp_monthly_202611_focus.csv").string();
    const auto check = run_command(checker + kind + " " + (reports / file).string() + " " + sqlite.string() + extra);
    INFO(check.output);
    CHECK(check.status == 0);
  }
  auto db = vctp::store::open_database("postgres", pg.url);
  const auto rows = db->query("SELECT kind, period, file_name FROM reports ORDER BY kind, file_name");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].get_text("period") == "2026-11-24");
  CHECK(rows[1].get_text("period") == "2026-11-24T13");
  CHECK(rows[2].get_text("file_name") == "vctp_monthly_202611.xlsx");
  CHECK(rows[3].get_text("file_name") == "vctp_monthly_202611_focus.csv");
  CHECK(rows[3].get_text("kind") == "monthly");
  CHECK(rows[3].get_text("period") == "2026-11");
}

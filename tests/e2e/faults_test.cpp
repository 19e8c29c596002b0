// Issue 12's fault suite, SQLite over one nats-server with JetStream on disk: a fault injected
// with a real signal or a real restart, then the database, the reports and the events checked
// against the simulator's own truth: every closed day summarised once, every report written once,
// nothing half-written, the failure visible where an operator looks.
#include <catch2/catch.hpp>

#include <sys/mount.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "bus_test_support.hpp"
#include "e2e_suite.hpp"
#include "nats_server.hpp"
#include "test_support.hpp"
#include "vcsim_process.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/metrics/registry.hpp"

using namespace vctp::test;
using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

VcsimOptions few_vms() {
  VcsimOptions o;
  o.clusters = 1;
  o.vms = 3;
  o.random_sizes_seed = 5;
  return o;
}

E2eOptions options_for(const vctp::bus::test::NatsServer& nats, const VcsimProcess& vcsim,
                       std::vector<std::string> services = {"aggregator", "reporter", "gateway"}) {
  E2eOptions o;
  o.nats_url = nats.url();
  o.vcenters = {vcsim.sdk_url()};
  o.services = std::move(services);
  return o;
}

/// "YYYY-MM-DD" of the UTC day `back` days before today: closed days the aggregator's catch-up
/// also looks at, as a real estate's would be.
std::string day_before(int back) {
  const auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) - std::chrono::days(back);
  return vctp::core::format_iso8601(day).substr(0, 10);
}

std::string compact(const std::string& day) {
  std::string out;
  for (char c : day) {
    if (c != '-') out += c;
  }
  return out;
}

/// Every event of the suite as it goes by on NATS (core subscription to vctp.>, resubscribed
/// after a server restart), counted by what it is about, so a test sees a job done twice.
class EventLog {
 public:
  explicit EventLog(const std::string& url)
      : settings_(vctp::bus::test::settings_for(url)),
        connection_(settings_, registry_, vctp::bus::test::quick_reconnect()),
        subscription_(connection_.subscribe("vctp.>", [this](const vctp::bus::Message& m) { add(m); })) {}

  /// How often `subject` carried an event whose `field` is `value` and status `ok`.
  int ok_count(const std::string& subject, const std::string& field, const std::string& value) const {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& [s, e] : events_) {
      if (s == subject && e.value(field, "") == value && e.value("status", "ok") == "ok") ++n;
    }
    return n;
  }
  std::string dump() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [s, e] : events_) out += s + " " + e.dump() + "\n";
    return out;
  }

 private:
  void add(const vctp::bus::Message& m) {
    auto e = json::parse(m.data, nullptr, false);
    if (!e.is_object()) return;
    std::lock_guard lock(mutex_);
    events_.emplace_back(m.subject, std::move(e));
  }
  vctp::core::Settings settings_;
  vctp::metrics::Registry registry_;
  vctp::bus::Connection connection_;
  vctp::bus::Subscription subscription_;
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, json>> events_;
};

bool log_has(const E2eSuite& suite, const std::string& file, const std::string& text) {
  const auto path = suite.dir() / file;
  return fs::exists(path) && read_file(path).find(text) != std::string::npos;
}

/// What a day's summary holds, read back from the database.
struct DayCheck {
  int registered = 0;
  std::int64_t registered_rows = -1;
  std::int64_t rows = -1;
  std::int64_t min_seen = -1;
  std::int64_t max_seen = -1;
};

DayCheck check_day(vctp::store::Database& db, const std::string& day) {
  const std::string table = "summary_daily_" + compact(day);
  DayCheck out;
  out.registered = registry_entries(db, "daily")[{table, ""}];
  for (const auto& r : db.query("SELECT row_count FROM snapshot_registry WHERE table_name = $1", {table})) {
    out.registered_rows = r.get_int(0);
  }
  if (db.list_tables(table).empty()) return out;
  for (const auto& r : db.query("SELECT COUNT(*), MIN(samples_seen), MAX(samples_seen) FROM " + table, {})) {
    out.rows = r.get_int(0);
    out.min_seen = r.get_int(1);
    out.max_seen = r.get_int(2);
  }
  return out;
}

/// Waits until `day`'s summary is announced and its report generated, then lets the pipeline
/// settle, so that a second summary or report would have come by too.
bool day_done(const EventLog& events, const std::string& day) {
  return events.ok_count("vctp.aggregate.completed", "period", day) >= 1 &&
         events.ok_count("vctp.report.generated", "file", "vctp_daily_" + compact(day) + ".xlsx") >= 1;
}

void check_day_once(const E2eSuite& suite, const EventLog& events, const std::string& day, std::size_t vm_count) {
  INFO("day " << day);
  auto db = suite.open_database();
  const auto c = check_day(*db, day);
  CHECK(c.registered == 1);
  CHECK(c.rows == static_cast<std::int64_t>(vm_count));
  CHECK(c.registered_rows == c.rows);  // registered whole, in the transaction that filled it
  CHECK(c.min_seen == 24);
  CHECK(c.max_seen == 24);
  CHECK(events.ok_count("vctp.aggregate.completed", "period", day) == 1);
  const std::string report = "vctp_daily_" + compact(day) + ".xlsx";
  CHECK(events.ok_count("vctp.report.generated", "file", report) == 1);
  CHECK(fs::exists(suite.reports_dir() / report));
  CHECK(db->query("SELECT 1 FROM reports WHERE file_name = $1", {report}).size() == 1);
}

/// A tmpfs of `size` mounted on `path` for a test's life, unmounted whatever happens. Mounting
/// needs root (as the suite runs here and in CI): where it is refused the test fails, saying so.
class TmpfsMount {
 public:
  TmpfsMount(fs::path path, const std::string& size) : path_(std::move(path)) {
    fs::create_directories(path_);
    const std::string data = "size=" + size + ",mode=0755";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, data.c_str()) != 0) {
      const int error = errno;
      FAIL("cannot mount a tmpfs on " << path_ << " (" << std::strerror(error)
                                      << "): the disk-full scenario needs root or CAP_SYS_ADMIN");
    }
    mounted_ = true;
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool mounted_ = false;
};

/// Writes `path` until the file system is full; returns the bytes written.
std::size_t fill_up(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  std::vector<char> chunk(4096, 'x');
  std::size_t written = 0;
  while (std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size() && std::fflush(f) == 0) written += chunk.size();
  std::fclose(f);
  return written;
}

/// The row count of every hourly table in the registry.
std::map<std::string, std::int64_t> hourly_row_counts(vctp::store::Database& db) {
  std::map<std::string, std::int64_t> out;
  for (const auto& [key, n] : registry_entries(db, "hourly")) {
    for (const auto& r : db.query("SELECT COUNT(*) FROM " + key.first, {})) out[key.first] = r.get_int(0);
  }
  return out;
}

}  // namespace

TEST_CASE(
    "e2e fault: the aggregator killed with completions pending summarises every closed day once, "
    "after its restart",
    "[e2e][faults]") {
  vctp::bus::test::NatsServer nats;
  VcsimProcess vcsim{few_vms()};
  EventLog events(nats.url());
  E2eSuite suite(options_for(nats, vcsim));
  REQUIRE(eventually([&] { return log_has(suite, "aggregator#0.1.log", "aggregator consuming"); }, 30s));

  // Killed with its durable consumer in place: the two days' completions wait in the stream.
  REQUIRE(suite.stop("aggregator#0", SIGKILL) == 128 + SIGKILL);
  const std::vector<std::string> days = {day_before(3), day_before(2)};
  for (const auto& day : days) {
    for (int hour = 0; hour < 24; ++hour) {
      const auto r = suite.collect_once(hour_of(day, hour));
      INFO(r.output);
      REQUIRE(r.status == 0);
    }
  }
  suite.restart("aggregator#0");

  const auto vm_count = vcsim.dump().at("vms").size();
  const bool done = eventually([&] { return day_done(events, days[0]) && day_done(events, days[1]); }, 90s);
  std::this_thread::sleep_for(5s);  // room for a second summary or report to come by
  INFO(suite.logs() << events.dump());
  REQUIRE(done);
  for (const auto& day : days) check_day_once(suite, events, day, vm_count);
  for (const auto& key : suite.keys()) CHECK(suite.process(key).running());
}

TEST_CASE(
    "e2e fault: nats-server restarted mid-pipeline: the services recover without a restart of theirs, "
    "nothing acknowledged is lost, nothing is done twice",
    "[e2e][faults]") {
  vctp::bus::test::NatsServer nats;
  VcsimProcess vcsim{few_vms()};
  EventLog events(nats.url());
  E2eSuite suite(options_for(nats, vcsim, {"collector", "aggregator", "reporter", "gateway"}));
  REQUIRE(eventually([&] { return log_has(suite, "aggregator#0.1.log", "aggregator consuming"); }, 30s));
  REQUIRE(eventually([&] { return log_has(suite, "collector#0.1.log", "collector consuming"); }, 30s));
  const std::string day = day_before(4);
  const auto collect = [&](int from, int to) {
    for (int hour = from; hour < to; ++hour) {
      const auto r = suite.collect_once(hour_of(day, hour));
      INFO(r.output);
      REQUIRE(r.status == 0);
    }
  };
  collect(0, 10);
  REQUIRE(eventually(
      [&] { return events.ok_count("vctp.report.generated", "file", "vctp_hourly_" + compact(day) + "09.xlsx") == 1; },
      60s));

  // Stopped (its store on disk), and down a while: a backfill writes its tables and says, where
  // its operator looks, that they were not announced; the gateway's publish waits for the server
  // and is stored once it is back. (A SIGKILL instead loses the consumers' latest acks, which
  // JetStream writes to disk lazily: the hours before it are delivered and reported again.)
  nats.stop();
  for (int hour = 10; hour < 12; ++hour) {
    const auto r = suite.collect_once(hour_of(day, hour));
    INFO(r.output);
    CHECK(r.output.find("not announced") != std::string::npos);
  }
  auto posted = std::async(std::launch::async, [&] { return suite.post_json("/api/snapshots/run", "{}"); });
  std::this_thread::sleep_for(2s);
  nats.start();
  const auto run = posted.get();
  INFO(run.body);
  CHECK(run.status == 202);

  // Back: the hours the backfill could not announce are taken again, then the rest of the day.
  collect(10, 24);
  const auto vm_count = vcsim.dump().at("vms").size();
  const auto now_table = "snap_hourly_" + compact(day_before(0));
  const bool done = eventually(
      [&] {
        for (int hour = 0; hour < 24; ++hour) {
          char file[64];
          std::snprintf(file, sizeof file, "vctp_hourly_%s%02d.xlsx", compact(day).c_str(), hour);
          if (events.ok_count("vctp.report.generated", "file", file) < 1) return false;
        }
        return day_done(events, day);
      },
      90s);
  std::this_thread::sleep_for(5s);  // room for a second summary or report to come by
  INFO(suite.logs() << events.dump());
  REQUIRE(done);
  check_day_once(suite, events, day, vm_count);
  for (int hour = 0; hour < 24; ++hour) {
    char file[64];
    std::snprintf(file, sizeof file, "vctp_hourly_%s%02d.xlsx", compact(day).c_str(), hour);
    INFO(file);
    CHECK(events.ok_count("vctp.report.generated", "file", file) == 1);
  }
  // The snapshot asked over REST while the server was down: taken by the collector service,
  // announced once.
  int taken = 0;
  for (const auto& [key, n] : registry_entries(*suite.open_database(), "hourly")) {
    if (key.first.rfind(now_table, 0) == 0) {
      CHECK(n == 1);
      CHECK(events.ok_count("vctp.snapshot.completed", "table", key.first) == 1);
      ++taken;
    }
  }
  CHECK(taken >= 1);
  // Every service rode the restart out in its first life.
  for (const auto& key : suite.keys()) {
    INFO(key);
    CHECK(suite.process(key).running());
    CHECK(!fs::exists(suite.dir() / (key + ".2.log")));
  }
}

TEST_CASE(
    "e2e fault: the SQLite database's disk full during a snapshot: a clear error, the earlier tables whole, "
    "the collector still running, the snapshot taken once space is back",
    "[e2e][faults]") {
  TempDir disk;
  TmpfsMount mount(disk / "db", "8m");
  vctp::bus::test::NatsServer nats;
  VcsimProcess vcsim{few_vms()};
  auto options = options_for(nats, vcsim, {"collector", "gateway"});
  options.database_url = (mount.path() / "vctp.sqlite3").string();
  E2eSuite suite(options);
  REQUIRE(eventually([&] { return log_has(suite, "collector#0.1.log", "collector consuming"); }, 30s));
  const std::string day = day_before(1);
  for (int hour = 0; hour < 3; ++hour) {
    const auto r = suite.collect_once(hour_of(day, hour));
    INFO(r.output);
    REQUIRE(r.status == 0);
  }
  const auto vm_count = static_cast<std::int64_t>(vcsim.dump().at("vms").size());
  std::map<std::string, std::int64_t> before;
  {
    auto db = suite.open_database();
    before = hourly_row_counts(*db);
    // The write-ahead log emptied into the database file, so that the next write needs new space.
    db->query("PRAGMA wal_checkpoint(TRUNCATE)", {});
  }
  REQUIRE(before.size() == 3);
  const auto filler = mount.path() / "filler";
  REQUIRE(fill_up(filler) > 0);

  // The snapshot asked over REST hits the full disk.
  const std::string log = "collector#0.1.log";
  auto posted = suite.post_json("/api/snapshots/run", "{}");
  INFO(posted.body);
  REQUIRE(posted.status == 202);
  const bool failed = eventually([&] { return log_has(suite, log, "snapshot failed"); }, 60s);
  INFO(suite.logs());
  REQUIRE(failed);
  CHECK(log_has(suite, log, "disk is full"));
  CHECK(suite.process("collector#0").running());
  const int metrics_port = logged_port(suite.dir() / log, kMetricsListening, suite.process("collector#0"));
  const auto metrics = http_get("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
  CHECK(metrics.find("vctp_hourly_snapshots_failed_total 1") != std::string::npos);
  CHECK(http_call("GET", suite.url("/api/health")).status == 200);
  {
    // The earlier tables read back whole, and the failed hour left nothing behind.
    auto db = suite.open_database();
    for (const auto& r : db->query("PRAGMA integrity_check", {})) CHECK(r.get_text(0) == "ok");
    CHECK(hourly_row_counts(*db) == before);
  }

  // Space back: the next request takes the snapshot, once.
  fs::remove(filler);
  posted = suite.post_json("/api/snapshots/run", "{}");
  REQUIRE(posted.status == 202);
  REQUIRE(eventually([&] { return log_has(suite, log, "snapshot written"); }, 60s));
  auto db = suite.open_database();
  const auto after = hourly_row_counts(*db);
  CHECK(after.size() == before.size() + 1);
  for (const auto& [table, rows] : after) {
    INFO(table);
    CHECK(rows == (before.count(table) ? before.at(table) : vm_count));
  }
  for (const auto& [key, n] : registry_entries(*db, "hourly")) CHECK(n == 1);
  for (const auto& r : db->query("PRAGMA integrity_check", {})) CHECK(r.get_text(0) == "ok");
}

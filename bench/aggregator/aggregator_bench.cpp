// Times the aggregator's summaries on one backend: a daily summary over 24 hourly tables of
// N VMs (written through the store's bulk path first), then a monthly summary over 31 daily
// tables of N VMs (the day's summary copied to the other 30 days of the month and registered).
// Each is run --repeat times (default 3) and the median printed beside its floor: one plain
// GROUP BY per VM over the UNION ALL of the same tables in the same database (the read-and-group
// work no summary can avoid), so the ratio shows what the summary's own SQL costs on top.
//   vctp_aggregator_bench --driver sqlite|postgres --url URL [--vms 50000] [--repeat 3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "aggregator.hpp"
#include "daily_summary.hpp"
#include "fake_clock.hpp"
#include "vctp/core/logging.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/metrics/registry.hpp"
#include "vctp/store/snapshot_registry.hpp"
#include "vctp/store/snapshot_writer.hpp"
#include "vctp/store/summary_columns.hpp"
#include "vctp/store/table_name.hpp"

using namespace vctp;
using namespace std::chrono;

namespace {

double seconds_since(steady_clock::time_point start) { return duration<double>(steady_clock::now() - start).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// The floor: per VM, a count, sums and maxima of `measures` over the UNION ALL of `tables`.
/// Returns its time; `groups` gets the number of VMs it found.
double floor_seconds(store::Database& db, const std::vector<std::string>& tables, const std::string& measures,
                     std::int64_t& groups) {
  std::string from;
  for (const auto& t : tables) from += (from.empty() ? "" : " UNION ALL ") + ("SELECT * FROM " + t);
  const auto started = steady_clock::now();
  const auto rows = db.query("SELECT COUNT(*) FROM (SELECT vcenter_uuid, instance_uuid, COUNT(*), " + measures +
                             " FROM (" + from + ") u GROUP BY vcenter_uuid, instance_uuid) g");
  const double s = seconds_since(started);
  groups = rows[0].get_int(0);
  return s;
}

/// One integer of `sql`'s first row.
std::int64_t scalar(store::Database& db, const std::string& sql) { return db.query(sql)[0].get_int(0); }

store::HourlyVmRow vm(int i, system_clock::time_point t, int hour) {
  store::HourlyVmRow r;
  r.snapshot_time = t;
  r.vcenter = i % 2 ? "vc2" : "vc1";
  r.vcenter_uuid = r.vcenter + "-uuid";
  r.vm_id = "vm-" + std::to_string(i);
  r.instance_uuid = "iu-" + std::to_string(i);
  r.bios_uuid = "bu-" + std::to_string(i);
  r.name = "vm-" + std::to_string(i);
  r.datacenter = "dc1";
  r.cluster = "cl-" + std::to_string(i % 20);
  r.host = "host-" + std::to_string(i % 200);
  r.resource_pool = "pool-" + std::to_string((i + hour / 12) % 5);
  r.folder = "tenant-" + std::to_string(i % 50) + "/apps";
  r.tenant = "tenant-" + std::to_string(i % 50);
  r.vcpu_count = 1 + (i + hour / 8) % 8;
  r.ram_mb = 1024 * (1 + i % 32);
  r.disk_gb = 20.0 + i % 500;
  r.power_state = (i + hour) % 17 ? "poweredOn" : "poweredOff";
  r.is_template = i % 101 == 0;
  r.srm_placeholder = i % 103 == 0;
  r.guest_os = "linux";
  // As the collector writes them (config.createDate): created before the day, but one VM in a
  // hundred half an hour into it (its samples weighed hour by hour, the first one for 30 min).
  const auto day = t - hours(hour);
  r.creation_time = i % 100 == 7 ? day + minutes(30) : day - days(1 + i % 300) - seconds(i);
  return r;
}

/// The day's 24 hourly tables of `vms` VMs in two vCenters, through the store's bulk path.
/// Returns the time taken.
double write_day(store::Database& db, core::Clock& clock, sys_days day, int vms) {
  const auto started = steady_clock::now();
  store::SnapshotWriter writer(db, clock);
  for (int h = 0; h < 24; ++h) {
    const system_clock::time_point t = day + hours(h);
    for (const std::string vc : {"vc1", "vc2"}) {
      int i = vc == "vc1" ? 0 : 1;
      writer.write_vms(store::TableName::hourly(t), vc, [&](store::HourlyVmRow& row) {
        if (i >= vms) return false;
        row = vm(i, t, h);
        i += 2;
        return true;
      });
    }
  }
  return seconds_since(started);
}

/// The other 30 days of December: copies of the first day's summary, registered.
double copy_days(store::Database& db, core::Clock& clock, sys_days day) {
  const auto started = steady_clock::now();
  const store::SnapshotRegistry reg(db, clock);
  const auto columns = store::summary_columns(store::SnapshotKind::kDaily);
  std::string rest;
  for (std::size_t c = 1; c < columns.size(); ++c) rest += ", " + std::string(columns[c].name);
  for (int d = 2; d <= 31; ++d) {
    const auto p = aggregator::Period::day(year_month_day(day + days(d - 1)));
    db.transact([&](store::Transaction& tx) {
      tx.execute("DROP TABLE IF EXISTS " + p.table().str());
      tx.execute(aggregator::create_table_sql(aggregator::SqlText(tx.dialect()), p.table().str(), columns));
      const auto rows = tx.execute(
          "INSERT INTO " + p.table().str() + " SELECT $1" + rest + " FROM summary_daily_20261201", {p.text()});
      reg.record(tx, store::Registration{p.table(), std::nullopt, rows, store::SnapshotStatus::kOk, std::nullopt,
                                         milliseconds(0)});
    });
  }
  return seconds_since(started);
}

/// A summary run `repeat` times, each followed by its floor over `tables` with `measures`.
struct Timed {
  double summary_s = 0, floor_s = 0;
  aggregator::AggregationOutcome outcome;
  std::int64_t floor_groups = 0;
};

Timed time_summary(store::Database& db, aggregator::Aggregator& agg, aggregator::SummaryKind kind,
                   const std::string& period, const std::vector<std::string>& tables, const std::string& measures,
                   int repeat) {
  Timed timed;
  std::vector<double> runs, floors;
  for (int r = 0; r < repeat; ++r) {
    const auto started = steady_clock::now();
    timed.outcome = agg.run(kind, period);  // replaces the table each time
    runs.push_back(seconds_since(started));
    if (!timed.outcome.ok) return timed;
    floors.push_back(floor_seconds(db, tables, measures, timed.floor_groups));
  }
  timed.summary_s = median(runs);
  timed.floor_s = median(floors);
  return timed;
}

void print_figures(const std::string& driver, int vms, int repeat, double write_s, double copy_s, const Timed& daily,
                   const Timed& monthly) {
  const char* d = driver.c_str();
  std::printf("%-8s vms=%d  write 24 hourly tables: %.1f s (%d rows)\n", d, vms, write_s, vms * 24);
  std::printf("%-8s daily summary over 24 hourly tables:  %.2f s median of %d (%lld rows); floor %.2f s (x%.2f)\n",
              d, daily.summary_s, repeat, static_cast<long long>(daily.outcome.rows), daily.floor_s,
              daily.summary_s / daily.floor_s);
  std::printf("%-8s (copying 30 more daily tables: %.1f s)\n", d, copy_s);
  std::printf("%-8s monthly summary over 31 daily tables: %.2f s median of %d (%lld rows); floor %.2f s (x%.2f)\n",
              d, monthly.summary_s, repeat, static_cast<long long>(monthly.outcome.rows), monthly.floor_s,
              monthly.summary_s / monthly.floor_s);
  // For run.sh: kind, the summary's median and the floor's, in seconds.
  std::printf("FIGURE write %.4f %.4f\n", write_s / 24, write_s / 24);
  std::printf("FIGURE daily %.4f %.4f\n", daily.summary_s, daily.floor_s);
  std::printf("FIGURE monthly %.4f %.4f\n", monthly.summary_s, monthly.floor_s);
}

}  // namespace

int main(int argc, char** argv) {
  std::string driver, url;
  int vms = 50000;
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--driver")
      driver = argv[i + 1];
    else if (a == "--url")
      url = argv[i + 1];
    else if (a == "--vms")
      vms = std::stoi(argv[i + 1]);
    else if (a == "--repeat")
      repeat = std::max(1, std::stoi(argv[i + 1]));
  }
  if (driver.empty() || url.empty() || vms <= 0) {
    std::cerr << "usage: vctp_aggregator_bench --driver sqlite|postgres --url URL [--vms N]\n";
    return 2;
  }
  core::init_logging("aggregator-bench", "warn", "text");
  auto db = store::open_database(driver, url);
  const auto day = sys_days(year(2026) / December / 1);
  test::FakeClock clock(day + days(31) + hours(1));
  const double write_s = write_day(*db, clock, day, vms);

  metrics::Registry registry;
  aggregator::AggregatorMetrics metrics(registry);
  aggregator::Aggregator agg(*db, clock, aggregator::ChargebackRules({"tenant-49"}, {"cl-1*"}, {}), metrics);
  std::vector<std::string> hourly_tables, daily_tables;
  for (int h = 0; h < 24; ++h) hourly_tables.push_back(store::TableName::hourly(day + hours(h)).str());
  for (int d = 1; d <= 31; ++d) {
    daily_tables.push_back(aggregator::Period::day(year_month_day(day + days(d - 1))).table().str());
  }
  const auto daily = time_summary(*db, agg, aggregator::SummaryKind::kDaily, "2026-12-01", hourly_tables,
                                  "SUM(vcpu_count), MAX(vcpu_count), SUM(ram_mb), MAX(ram_mb), SUM(disk_gb)", repeat);
  if (!daily.outcome.ok) {
    std::cerr << "daily summary failed: " << daily.outcome.error << "\n";
    return 1;
  }
  // The summary keeps every VM but tenant-49's (i % 50 == 49), each seen in all 24 hours.
  const std::int64_t kept = vms - vms / 50;  // i = 49, 99, ... below vms are left out
  bool right = daily.floor_groups == vms && daily.outcome.rows == kept &&
               scalar(*db, "SELECT SUM(samples_seen) FROM summary_daily_20261201") == 24 * kept;

  const double copy_s = copy_days(*db, clock, day);
  const auto monthly =
      time_summary(*db, agg, aggregator::SummaryKind::kMonthly, "2026-12", daily_tables,
                   "SUM(presence), SUM(avg_vcpu), MAX(max_vcpu), SUM(avg_ram_gb), SUM(avg_disk_gb)", repeat);
  if (!monthly.outcome.ok) {
    std::cerr << "monthly summary failed: " << monthly.outcome.error << "\n";
    return 1;
  }
  right = right && monthly.floor_groups == kept && monthly.outcome.rows == kept &&
          scalar(*db, "SELECT SUM(days_present) FROM summary_monthly_202612") == 31 * kept &&
          scalar(*db, "SELECT SUM(samples_seen) FROM summary_monthly_202612") == 31 * 24 * kept;
  print_figures(driver, vms, repeat, write_s, copy_s, daily, monthly);
  if (!right) {
    std::cerr << "wrong result: the floor found " << daily.floor_groups << " / " << monthly.floor_groups
              << " VMs, the summaries " << daily.outcome.rows << " / " << monthly.outcome.rows << " rows, expected "
              << kept << " (and every sample counted)\n";
    return 1;
  }
  return 0;
}

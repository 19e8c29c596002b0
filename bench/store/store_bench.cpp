// Writes N hourly VM snapshot rows through vctp's bulk path (SnapshotWriter: one transaction,
// prepared INSERT on SQLite, binary COPY through libpq on PostgreSQL) and loads the same rows
// with each database's own tool (sqlite3 .import of a CSV, psql \copy), printing rows/s of both.
//
//   vctp_store_bench [--rows N] [--repeats N] [--sqlite-dir DIR] [--sqlite3 PATH]
//                    [--postgres-dsn DSN] [--psql PATH]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "vctp/core/logging.hpp"
#include "vctp/core/time_format.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/snapshot_writer.hpp"

using namespace vctp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  long rows = 1'000'000;
  std::optional<std::string> sqlite_dir;
  std::string sqlite3 = "sqlite3";
  std::optional<std::string> postgres_dsn;
  std::string psql = "psql";
  int repeats = 3;
};

const auto kHour = *core::parse_iso8601("2026-11-24T13:00:00Z");

/// The i-th synthetic VM: realistic widths, a few hundred clusters and tenants.
void make_row(long i, store::HourlyVmRow& r) {
  r.snapshot_time = kHour;
  r.vcenter = "vc-bench.example.com";
  r.vcenter_uuid = "6c7a1d3e-5b0f-4f6e-9a8b-000000000001";
  r.vm_id = "vm-" + std::to_string(1000 + i);
  char uuid[40];
  std::snprintf(uuid, sizeof uuid, "5012%04lx-%04lx-%04lx-%04lx-%012lx", (i >> 16) & 0xffff,
                i & 0xffff, (i * 7) & 0xffff, (i * 13) & 0xffff, static_cast<long>(i) * 2654435761L);
  r.instance_uuid = uuid;
  r.bios_uuid = std::string("4212") + (uuid + 4);
  r.name = "app-" + std::to_string(i % 997) + "-vm" + std::to_string(i);
  r.datacenter = "DC" + std::to_string(i % 3);
  r.cluster = "Cluster-" + std::to_string(i % 40);
  r.host = "esx" + std::to_string(i % 800) + ".example.com";
  r.resource_pool = "Resources/Tenant" + std::to_string(i % 150);
  r.folder = "/DC" + std::to_string(i % 3) + "/vm/Tenant" + std::to_string(i % 150) + "/Apps";
  r.tenant = "Tenant" + std::to_string(i % 150);
  r.vcpu_count = 1 + i % 16;
  r.ram_mb = 1024L * (1 + i % 64);
  r.disk_gb = 40.0 + static_cast<double>(i % 2000) / 4;
  r.power_state = i % 10 == 0 ? "poweredOff" : "poweredOn";
  r.is_template = i % 100 == 99;
  r.srm_placeholder = i % 250 == 7;
  r.guest_os = i % 3 == 0 ? "windows2019srv_64Guest" : "ubuntu64Guest";
  if (i % 4 != 0) {
    r.creation_time = kHour - std::chrono::hours(24 * (1 + i % 1500));
  } else {
    r.creation_time.reset();
  }
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

/// The same rows as CSV, in table column order (NULL creation_time as an empty field).
void write_csv(const std::filesystem::path& path, long rows) {
  std::ofstream out(path);
  store::HourlyVmRow r;
  for (long i = 0; i < rows; ++i) {
    make_row(i, r);
    out << core::format_iso8601(r.snapshot_time) << ',' << csv_field(r.vcenter) << ','
        << r.vcenter_uuid << ',' << r.vm_id << ',' << r.instance_uuid << ',' << r.bios_uuid << ','
        << csv_field(r.name) << ',' << csv_field(r.datacenter) << ',' << csv_field(r.cluster) << ','
        << csv_field(r.host) << ',' << csv_field(r.resource_pool) << ',' << csv_field(r.folder)
        << ',' << csv_field(r.tenant) << ',' << r.vcpu_count << ',' << r.ram_mb << ','
        << r.disk_gb << ',' << r.power_state << ',' << (r.is_template ? 1 : 0) << ','
        << (r.srm_placeholder ? 1 : 0) << ',' << csv_field(r.guest_os) << ','
        << (r.creation_time ? core::format_iso8601(*r.creation_time) : "") << '\n';
  }
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Figure {
  std::string backend;
  std::string path;
  long rows;
  double seconds;
};

std::vector<Figure> figures;

void report(const std::string& backend, const std::string& path, long rows, double seconds) {
  figures.push_back({backend, path, rows, seconds});
  std::printf("%-9s %-44s %9ld rows %8.2f s %12.0f rows/s\n", backend.c_str(), path.c_str(), rows,
              seconds, static_cast<double>(rows) / seconds);
  std::fflush(stdout);
}

/// Writes the snapshot through vctp's bulk path; returns seconds.
double vctp_bulk(store::Database& db, long rows) {
  store::SnapshotWriter writer(db);
  long i = 0;
  const auto start = Clock::now();
  const auto result = writer.write_vms(store::TableName::hourly(kHour), "vc-bench.example.com",
                                       [&](store::HourlyVmRow& row) {
                                         if (i >= rows) return false;
                                         make_row(i++, row);
                                         return true;
                                       });
  const double s = seconds_since(start);
  if (result.rows != rows) throw std::runtime_error("bulk path wrote a wrong number of rows");
  return s;
}

int run_tool(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status != 0) std::fprintf(stderr, "command failed (%d): %s\n", status, command.c_str());
  return status;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::int64_t count_rows(store::Database& db, const std::string& table) {
  return db.query("SELECT count(*) FROM " + table)[0].get_int(0);
}

void check_rows(store::Database& db, const std::string& table, long rows) {
  const auto n = count_rows(db, table);
  if (n != rows) {
    throw std::runtime_error(table + " holds " + std::to_string(n) + " rows, not " + std::to_string(rows));
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Medians of one backend: seconds of vctp's path and of the loader, bytes per row on disk.
struct Medians {
  std::vector<double> vctp, peer, bytes;
};

void bench_sqlite(const Options& o, const std::filesystem::path& csv, Medians& m) {
  const auto dir = std::filesystem::path(*o.sqlite_dir);
  std::filesystem::create_directories(dir);
  const auto file = dir / "bench.sqlite3";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  auto db = store::open_database("sqlite", file.string());
  // The database file and its write-ahead log (not checkpointed yet) grow by the table.
  const auto on_disk = [&file] {
    std::error_code ec;
    const auto wal = std::filesystem::file_size(file.string() + "-wal", ec);
    return std::filesystem::file_size(file) + (ec ? 0 : wal);
  };
  const auto before = on_disk();
  const double s = vctp_bulk(*db, o.rows);
  report("sqlite", "vctp bulk path (prepared INSERT, 1 tx)", o.rows, s);
  check_rows(*db, "snap_hourly_2026112413", o.rows);
  m.vctp.push_back(s);
  m.bytes.push_back(static_cast<double>(on_disk() - before) / static_cast<double>(o.rows));
  // The loader's table: the same CREATE TABLE (NOT NULL included), no index on either.
  const auto ddl = db->query("SELECT sql FROM sqlite_master WHERE name = 'snap_hourly_2026112413'")[0].get_text(0);
  db->execute("DROP TABLE IF EXISTS bench_import");
  db->execute("CREATE TABLE bench_import" + ddl.substr(ddl.find('(') - 1));
  db.reset();
  const auto start = Clock::now();
  if (run_tool(o.sqlite3 + " " + shell_quote(file.string()) + " -cmd '.mode csv' " + "'.import " + csv.string() +
               " bench_import'") != 0) {
    throw std::runtime_error("sqlite3 .import failed");
  }
  const double p = seconds_since(start);
  report("sqlite", "sqlite3 .import of a CSV", o.rows, p);
  m.peer.push_back(p);
  db = store::open_database("sqlite", file.string());
  check_rows(*db, "bench_import", o.rows);
}

void bench_postgres(const Options& o, const std::filesystem::path& csv, Medians& m) {
  auto db = store::open_database("postgres", *o.postgres_dsn);
  db->execute("DROP TABLE IF EXISTS snap_hourly_2026112413");
  db->execute("DROP TABLE IF EXISTS bench_import");
  db->execute("DELETE FROM snapshot_registry");
  const double s = vctp_bulk(*db, o.rows);
  report("postgres", "vctp bulk path (binary COPY, 1 tx)", o.rows, s);
  check_rows(*db, "snap_hourly_2026112413", o.rows);
  m.vctp.push_back(s);
  m.bytes.push_back(static_cast<double>(
                        db->query("SELECT pg_total_relation_size('snap_hourly_2026112413')")[0].get_int(0)) /
                    static_cast<double>(o.rows));
  // The loader's table: the same columns, constraints and (no) indexes.
  db->execute("CREATE TABLE bench_import (LIKE snap_hourly_2026112413 INCLUDING ALL)");
  db->execute("DROP TABLE snap_hourly_2026112413");
  const auto& columns = store::hourly_vm_columns();
  std::string list;
  for (const auto& c : columns) list += (list.empty() ? "" : ", ") + c;
  const auto start = Clock::now();
  if (run_tool(o.psql + " -X -q " + shell_quote(*o.postgres_dsn) + " -c " +
               shell_quote("\\copy bench_import (" + list + ") FROM '" + csv.string() + "' WITH (FORMAT csv)")) != 0) {
    throw std::runtime_error("psql \\copy failed");
  }
  const double p = seconds_since(start);
  report("postgres", "psql \\copy of a CSV", o.rows, p);
  m.peer.push_back(p);
  check_rows(*db, "bench_import", o.rows);
  db->execute("DROP TABLE bench_import");
}

}  // namespace

int main(int argc, char** argv) {
  core::init_logging("store-bench", "warn", "text");
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--rows") o.rows = std::stol(value);
    else if (key == "--sqlite-dir") o.sqlite_dir = value;
    else if (key == "--sqlite3") o.sqlite3 = value;
    else if (key == "--postgres-dsn") o.postgres_dsn = value;
    else if (key == "--psql") o.psql = value;
    else if (key == "--repeats") o.repeats = std::stoi(value);
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
  }
  if (!o.sqlite_dir && !o.postgres_dsn) {
    std::fprintf(stderr,
                 "usage: vctp_store_bench [--rows N] [--sqlite-dir DIR] [--sqlite3 PATH] "
                 "[--postgres-dsn DSN] [--psql PATH]\n");
    return 2;
  }
  try {
    const auto tmp = std::filesystem::temp_directory_path() / "vctp-store-bench.csv";
    // The generator's own cost, so that it can be told apart from the database's.
    {
      store::HourlyVmRow r;
      std::size_t sink = 0;
      const auto start = Clock::now();
      for (long i = 0; i < o.rows; ++i) {
        make_row(i, r);
        sink += r.name.size();
      }
      const double generate_s = seconds_since(start);
      if (sink == 0) return 1;
      write_csv(tmp, o.rows);
      std::printf("%ld rows of %zu columns (CSV %.0f MB)\n", o.rows,
                  store::hourly_vm_columns().size(),
                  static_cast<double>(std::filesystem::file_size(tmp)) / 1e6);
      report("both", "  of which generating the rows", o.rows, generate_s);
      Medians sqlite, postgres;
      // Interleaved: each repetition runs vctp and the loader of each backend in turn.
      for (int rep = 0; rep < o.repeats; ++rep) {
        if (o.sqlite_dir) bench_sqlite(o, tmp, sqlite);
        if (o.postgres_dsn) bench_postgres(o, tmp, postgres);
      }
      std::filesystem::remove(tmp);
      std::printf("\nmedians of %d (rows/s), ratio = vctp / loader:\n", o.repeats);
      for (const auto& [name, m] : {std::pair{"sqlite", &sqlite}, std::pair{"postgres", &postgres}}) {
        if (m->vctp.empty()) continue;
        const double rows = static_cast<double>(o.rows);
        std::printf("MEDIAN %s %.0f %.0f %.2f %.1f\n", name, rows / median(m->vctp), rows / median(m->peer),
                    median(m->peer) / median(m->vctp), median(m->bytes));
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchmark failed: %s\n", e.what());
    return 1;
  }
  return 0;
}

// Time and peak memory of the reporter's monthly report of N VMs (50,000 by default), beside a
// minimal libxlsxwriter program writing the same cells (xlsxwriter_peer.c), the library's limit.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "report_builder.hpp"
#include "report_generator.hpp"
#include "vctp/core/clock.hpp"
#include "xlsx_writer.hpp"

using namespace vctp::reporter;
namespace fs = std::filesystem;

namespace {

long maxrss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return tv(usage.ru_utime) + tv(usage.ru_stime);
}

/// A synthetic month: `n` VMs over 40 tenants and 6 pools, a trend for every day.
class SyntheticSource final : public ReportSource {
 public:
  explicit SyntheticSource(int n) : n_(n) {}
  HourlyReportData hourly(const ReportPeriod& p) override { throw NoReportData("bench: monthly only " + p.label()); }
  DailyReportData daily(const ReportPeriod& p) override { throw NoReportData("bench: monthly only " + p.label()); }
  MonthlyReportData monthly(const ReportPeriod& period) override {
    MonthlyReportData d{period, {}, {}, {}, {}};
    d.vms.reserve(static_cast<std::size_t>(n_));
    for (int i = 0; i < n_; ++i) {
      SummaryVm vm;
      vm.vcenter = "vcenter" + std::to_string(i % 4) + ".example.com";
      vm.vcenter_uuid = "uuid-vcenter-" + std::to_string(i % 4);
      vm.instance_uuid = "5003a1b2-0000-4000-8000-" + std::to_string(100000000000 + i);
      vm.name = "vm-" + std::to_string(i);
      vm.datacenter = "dc" + std::to_string(i % 2);
      vm.cluster = "cluster-" + std::to_string(i % 12);
      vm.tenant = "tenant-" + std::to_string(i % 40);
      vm.folder = "/dc/vm/tenant-" + std::to_string(i % 40) + "/app";
      vm.resource_pool = "pool-" + std::to_string(i % 6);
      vm.samples_seen = 700;
      vm.samples_expected = 720;
      vm.presence = i % 9 == 0 ? 0.5 : 1.0;
      vm.avg_vcpu = 1 + i % 8;
      vm.max_vcpu = 1 + i % 8;
      vm.avg_ram_gb = 2 + i % 32;
      vm.max_ram_gb = 2 + i % 32;
      vm.avg_disk_gb = 40 + i % 500;
      vm.powered_on_share = 0.9;
      vm.srm_placeholder = i % 50 == 0;
      vm.creation_time = period.start();
      vm.days_present = 30 * vm.presence;
      d.vms.push_back(std::move(vm));
    }
    for (int day = 0; day < period.days_in_month(); ++day) {
      d.trend.push_back(DailyTrendPoint{period.start() + std::chrono::days(day), n_ * 0.95, n_ * 4.5, n_ * 17.0});
    }
    d.completeness = Completeness{700 * 4, 720 * 4};
    return d;
  }

 private:
  int n_;
};

std::string signature(const SheetSpec& sheet) {
  std::string types;
  for (const auto& c : sheet.columns) {
    switch (c.format) {
      case CellFormat::kText:
        types += 't';
        break;
      case CellFormat::kFlag:
        types += 'b';
        break;
      case CellFormat::kDate:
      case CellFormat::kDateTime:
        types += 'd';
        break;
      default:
        types += 'n';
    }
  }
  return std::to_string(sheet.row_count) + ":" + types;
}

}  // namespace

int main(int argc, char** argv) {
  const int vms = argc > 1 ? std::atoi(argv[1]) : 50000;
  const auto period = *ReportPeriod::parse(ReportKind::kMonthly, "2026-11");
  if (argc > 2 && std::string(argv[2]) == "--input-only") {
    // Run as a child process: the peak memory of the input data alone.
    SyntheticSource source(vms);
    const auto data = source.monthly(period);
    std::printf("%ld\n", maxrss_kib());
    return 0;
  }
  const fs::path dir = fs::temp_directory_path() / ("vctp-reporter-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);

  vctp::core::RateCard card;
  card.currency = "EUR";
  card.vcpu_hour = 0.01;
  card.ram_gb_hour = 0.005;
  card.disk_gb_month = 0.05;
  card.node_hour = 2;
  ChargePolicy policy;
  policy.rates = card;

  SyntheticSource source(vms);
  // The input alone (in a process of its own), to tell it apart from what the report adds.
  long input_rss = -1;
  if (std::FILE* child = ::popen((std::string(argv[0]) + " " + std::to_string(vms) + " --input-only").c_str(), "r")) {
    if (std::fscanf(child, "%ld", &input_rss) != 1) input_rss = -1;
    ::pclose(child);
  }

  vctp::metrics::Registry registry;
  ReporterMetrics metrics(registry);
  vctp::core::SystemClock clock;
  ReportGenerator generator(source, nullptr, nullptr, dir, policy, clock, metrics);
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds();
  const GeneratedReport report = generator.generate(period);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  const long report_rss = maxrss_kib();

  // The XLSX alone (no FOCUS CSV, no fsync), from an already built layout.
  const auto spec =
      build_monthly_workbook(std::make_shared<const MonthlyReportData>(source.monthly(period)), policy, clock.now());
  const auto t1 = std::chrono::steady_clock::now();
  const double cpu1 = cpu_seconds();
  write_xlsx(spec, dir / "xlsx-only.xlsx");
  const double xlsx_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  const double xlsx_cpu = cpu_seconds() - cpu1;

  // The same sheets' shapes for the peer.
  std::string command = std::string(VCTP_REPORTER_PEER) + " " + (dir / "peer.xlsx").string();
  std::size_t cells = 0;
  for (const auto& sheet : spec.sheets) {
    command += " " + signature(sheet);
    cells += (sheet.row_count + 1) * sheet.columns.size();
  }
  std::FILE* pipe = ::popen(command.c_str(), "r");
  double peer_seconds = -1, peer_cpu = -1;
  long peer_rss = -1;
  if (pipe == nullptr || std::fscanf(pipe, "%lf %lf %ld", &peer_seconds, &peer_cpu, &peer_rss) != 3) {
    std::cerr << "the peer program failed: " << command << "\n";
  }
  if (pipe) ::pclose(pipe);

  const auto size_of = [&](const std::string& f) { return fs::file_size(dir / f) / 1024; };
  std::printf("monthly report of %d VMs (%zu cells in %zu sheets)\n", vms, cells, spec.sheets.size());
  std::printf("%-46s %9s %9s %14s %10s\n", "", "wall s", "CPU s", "peak RSS KiB", "file KiB");
  std::printf("%-46s %9.2f %9.2f %14ld %10ju\n", "vctp-reporter generate() (XLSX + FOCUS CSV)", seconds, cpu,
              report_rss, static_cast<std::uintmax_t>(size_of(report.file_name)));
  std::printf("%-46s %9s %9s %14ld\n", "  peak RSS with the input data alone", "", "", input_rss);
  std::printf("%-46s %9.2f %9.2f\n", "  XLSX alone (write_xlsx of the built layout)", xlsx_seconds, xlsx_cpu);
  std::printf("%-46s %9.2f %9.2f %14ld %10ju\n", "minimal libxlsxwriter program, same cells", peer_seconds, peer_cpu,
              peer_rss, static_cast<std::uintmax_t>(size_of("peer.xlsx")));
  std::printf("FOCUS CSV: %ju KiB\n", static_cast<std::uintmax_t>(size_of(report.companion_files.at(0))));
  fs::remove_all(dir);
  return 0;
}

#include "gateway_seed.hpp"

#include <fstream>

#include "vctp/core/time_format.hpp"
#include "vctp/store/inventory.hpp"
#include "vctp/store/snapshot_registry.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::test {
namespace {

using namespace std::chrono;

struct Vm {
  std::string vcenter, uuid, name, cluster, pool, tenant;
  int vcpu;
  int ram_gb;
  double disk_gb;
  bool on;
  bool template_vm = false;
};

const std::vector<Vm>& demo_vms() {
  static const std::vector<Vm> vms = {
      {"vc1.example.com", "5001-aaaa-0001", "web-01", "prod-a", "prod", "acme", 4, 8, 80, true},
      {"vc1.example.com", "5001-aaaa-0002", "web-02", "prod-a", "prod", "acme", 4, 8, 80, true},
      {"vc1.example.com", "5001-aaaa-0003", "db-01", "prod-a", "databases", "acme", 8, 64, 500, true},
      {"vc1.example.com", "5001-aaaa-0004", "app-01", "prod-b", "prod", "globex", 2, 4, 60, true},
      {"vc2.example.com", "5002-bbbb-0001", "build-01", "ci", "build", "initech", 16, 32, 200, false},
      {"vc2.example.com", "5002-bbbb-0002", "web-legacy", "ci", "build", "initech", 1, 2, 40, true},
      {"vc2.example.com", "5002-bbbb-0003", "tmpl-debian", "ci", "build", "initech", 2, 4, 20, false, true},
  };
  return vms;
}

std::string day_text(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

void create_summary_table(store::Transaction& tx, const store::TableName& table, bool monthly) {
  const auto& d = tx.dialect();
  const std::string t = std::string(d.text_type()), r = std::string(d.real_type()), i = std::string(d.integer_type()),
                    b = std::string(d.boolean_type()), ts = std::string(d.timestamp_type());
  tx.execute("DROP TABLE IF EXISTS " + d.quote_identifier(table.str()));
  // The shape the aggregator writes (services/aggregator daily_summary_columns).
  tx.execute("CREATE TABLE " + d.quote_identifier(table.str()) + " (period " + t + ", vcenter " + t +
             ", vcenter_uuid " + t + ", instance_uuid " + t + ", name " + t + ", datacenter " + t + ", cluster " + t +
             ", tenant " + t + ", folder " + t + ", resource_pool " + t + ", samples_seen " + i +
             ", samples_expected " + i + ", presence " + r + ", avg_vcpu " + r + ", max_vcpu " + r +
             ", avg_ram_gb " + r + ", max_ram_gb " + r + ", avg_disk_gb " + r + ", powered_on_share " + r +
             ", is_template " + b + ", srm_placeholder " + b + ", node_charge " + b + ", creation_time " + ts +
             ", deletion_time " + ts + ", charged " + b + ", vm_id " + t + ", hours_present " + r +
             (monthly ? ", days_present " + i : std::string()) + ")");
}

void insert_summary_row(store::Transaction& tx, const store::TableName& table, const Vm& vm, double presence,
                        double vcpu_factor, std::optional<double> days_present) {
  const auto& d = tx.dialect();
  std::string sql = "INSERT INTO " + d.quote_identifier(table.str()) +
                    " (period, vcenter, vcenter_uuid, instance_uuid, name, datacenter, cluster, tenant, folder, "
                    "resource_pool, samples_seen, samples_expected, presence, avg_vcpu, max_vcpu, avg_ram_gb, "
                    "max_ram_gb, avg_disk_gb, powered_on_share, is_template, srm_placeholder, node_charge, "
                    "creation_time, deletion_time, charged, vm_id, hours_present" +
                    std::string(days_present ? ", days_present" : "") + ") VALUES ($1" +
                    ", $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, " +
                    d.int_to_bool("$20") + ", " + d.int_to_bool("$21") + ", " + d.int_to_bool("$22") + ", " +
                    d.timestamp_param(23) + ", " + d.timestamp_param(24) + ", " + d.int_to_bool("$25") +
                    ", $26, $27" + (days_present ? ", $28" : "") + ")";
  const double vcpu = vm.vcpu * vcpu_factor;
  const std::string period = table.kind() == store::SnapshotKind::kMonthly
                                 ? day_text(year_month_day(floor<days>(table.period_start()))).substr(0, 7)
                                 : day_text(year_month_day(floor<days>(table.period_start())));
  store::Params p = {period,
                     vm.vcenter,
                     vm.vcenter + "-uuid",
                     vm.uuid,
                     vm.name,
                     "dc1",
                     vm.cluster,
                     vm.tenant,
                     "/dc1/vm/" + vm.tenant,
                     vm.pool,
                     std::int64_t{static_cast<std::int64_t>(presence * 24)},
                     std::int64_t{24},
                     presence,
                     vcpu,
                     vcpu,
                     static_cast<double>(vm.ram_gb),
                     static_cast<double>(vm.ram_gb),
                     vm.disk_gb,
                     vm.on ? 1.0 : 0.0,
                     store::bool_value(vm.template_vm),
                     store::bool_value(false),
                     store::bool_value(false),
                     store::time_value(system_clock::time_point(sys_days(year{2025} / 1 / 15))),
                     store::null_value(),
                     store::bool_value(!vm.template_vm),
                     "vm-" + vm.uuid.substr(vm.uuid.size() - 2),
                     presence * 24};
  if (days_present) p.push_back(static_cast<std::int64_t>(*days_present));
  tx.execute(sql, p);
}

}  // namespace

SeededData seed_gateway_data(store::Database& db, const std::filesystem::path& reports_dir, system_clock::time_point now) {
  SeededData out;
  const auto today = year_month_day(floor<days>(now));
  out.day = year_month_day(sys_days(today) - days(1));
  out.day_text = day_text(out.day);
  out.month_text = out.day_text.substr(0, 7);
  out.vm_name = "web-01";
  out.vm_instance_uuid = "5001-aaaa-0001";
  out.inventory_vms = demo_vms().size();
  store::SnapshotRegistry registry(db);

  db.transact([&](store::Transaction& tx) {
    // Hourly snapshots of the last six hours; vc2's latest one failed.
    const auto hour = floor<hours>(now);
    for (int h = 6; h >= 1; --h) {
      const auto t = hour - hours(h);
      for (const std::string vc : {"vc1.example.com", "vc2.example.com"}) {
        store::Registration reg{store::TableName::hourly(t), vc, vc == "vc1.example.com" ? 4 : 2,
                                store::SnapshotStatus::kOk, std::nullopt, milliseconds(1200 + h * 10)};
        if (vc == "vc2.example.com" && h == 1) {
          reg.status = store::SnapshotStatus::kFailed;
          reg.row_count = 0;
          reg.error = "vCenter vc2.example.com: connection refused";
        }
        registry.record(tx, reg);
      }
    }

    std::vector<store::InventoryRecord> inventory;
    for (const auto& vm : demo_vms()) {
      store::InventoryRecord r;
      r.vcenter = vm.vcenter;
      r.vcenter_uuid = vm.vcenter + "-uuid";
      r.vm_id = "vm-" + vm.uuid.substr(vm.uuid.size() - 2);
      r.instance_uuid = vm.uuid;
      r.bios_uuid = "bios-" + vm.uuid;
      r.name = vm.name;
      r.datacenter = "dc1";
      r.cluster = vm.cluster;
      r.host = "esx1";
      r.resource_pool = vm.pool;
      r.folder = "/dc1/vm/" + vm.tenant;
      r.tenant = vm.tenant;
      r.vcpu_count = vm.vcpu;
      r.ram_mb = vm.ram_gb * 1024;
      r.disk_gb = vm.disk_gb;
      r.power_state = vm.on ? "poweredOn" : "poweredOff";
      r.is_template = vm.template_vm;
      r.guest_os = "debian12_64Guest";
      r.creation_time = sys_days(year{2025} / 1 / 15);
      r.first_seen = sys_days(year{2025} / 1 / 15);
      r.last_seen = now;
      inventory.push_back(r);
    }
    store::upsert_inventory(tx, inventory);

    // Three daily summaries; vCPU of web-01 grows a little each day, app-01 appeared on the last.
    for (int back = 2; back >= 0; --back) {
      const auto day = year_month_day(sys_days(out.day) - days(back));
      const auto table = store::TableName::daily(day);
      create_summary_table(tx, table, false);
      std::int64_t rows = 0;
      for (const auto& vm : demo_vms()) {
        if (vm.name == "app-01" && back > 0) continue;
        const double presence = vm.name == "app-01" ? 0.5 : 1.0;
        const double factor = vm.name == "web-01" ? 1.0 - 0.25 * back : 1.0;
        insert_summary_row(tx, table, vm, presence, factor, std::nullopt);
        ++rows;
      }
      registry.record(tx, store::Registration{table, std::nullopt, rows, store::SnapshotStatus::kOk, std::nullopt,
                                              milliseconds(800)});
    }
    const auto month = store::TableName::monthly(out.day.year() / out.day.month());
    create_summary_table(tx, month, true);
    for (const auto& vm : demo_vms()) insert_summary_row(tx, month, vm, 0.1, 1.0, 3.0);
    registry.record(tx, store::Registration{month, std::nullopt, static_cast<std::int64_t>(demo_vms().size()),
                                            store::SnapshotStatus::kOk, std::nullopt, milliseconds(900)});

    std::filesystem::create_directories(reports_dir);
    for (const auto& [kind, period] : std::vector<std::pair<std::string, std::string>>{
             {"daily", out.day_text}, {"monthly", out.month_text}}) {
      const std::string file = "vctp_" + kind + "_" + period + ".xlsx";
      const std::string content = "PK\x03\x04 vctp test report " + kind + " " + period;
      std::ofstream(reports_dir / file, std::ios::binary) << content;
      store::record_report(tx, store::ReportRecord{kind, period, file, static_cast<std::int64_t>(content.size()), now});
      out.report_files.push_back(file);
    }
  });
  out.unlisted_file = "not_a_report.xlsx";
  std::ofstream(reports_dir / out.unlisted_file) << "should never be served";
  std::ofstream(reports_dir.parent_path() / "outside.txt") << "outside the reports dir";
  return out;
}

}  // namespace vctp::test

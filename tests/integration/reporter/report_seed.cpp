#include "report_seed.hpp"

#include <algorithm>
#include <vector>

#include "test_support.hpp"
#include "vctp/store/database.hpp"
#include "vctp/store/snapshot_registry.hpp"
#include "vctp/store/snapshot_writer.hpp"
#include "vctp/store/table_name.hpp"

namespace vctp::test::reporter {
namespace {

using namespace std::chrono;
using store::TableName;

const std::vector<std::string> kTenants = {"finance", "hr", "web", "scratch-lab", ""};
const std::vector<std::string> kPools = {"gold", "silver", "bronze"};

sys_days day(int y, unsigned m, unsigned d) { return sys_days{year{y} / month{m} / d}; }

std::string vm_name(int vc, int i) {
  if (i % 23 == 7) return "aa-db-" + std::to_string(vc) + "-" + std::to_string(i);  // SRM active/active
  return "vm-" + std::to_string(vc) + "-" + std::to_string(i);
}

/// Every seventh VM is in the node-charge cluster, across every tenant (not only filtered ones).
std::string cluster_of(int i) { return i % 7 == 3 ? "dedicated-01" : (i % 2 ? "shared-01" : "shared-02"); }

std::vector<store::HourlyVmRow> hourly_rows(int vc, int vms, system_clock::time_point t) {
  std::vector<store::HourlyVmRow> rows;
  for (int i = 0; i < vms; ++i) {
    store::HourlyVmRow r;
    r.snapshot_time = t;
    r.vcenter = "vc" + std::to_string(vc) + ".example.com";
    r.vcenter_uuid = "uuid-vc-" + std::to_string(vc);
    r.vm_id = "vm-" + std::to_string(1000 + i);
    r.instance_uuid = "inst-" + std::to_string(vc) + "-" + std::to_string(i);
    r.bios_uuid = "bios-" + std::to_string(vc) + "-" + std::to_string(i);
    r.name = vm_name(vc, i);
    r.datacenter = "dc1";
    r.cluster = cluster_of(i);
    r.host = "esx" + std::to_string(i % 5) + ".example.com";
    r.resource_pool = kPools[static_cast<std::size_t>(i) % kPools.size()];
    r.tenant = kTenants[static_cast<std::size_t>(i) % kTenants.size()];
    r.folder = "/dc1/vm/" + r.tenant;
    r.vcpu_count = 1 + i % 8;
    r.ram_mb = 1024 * (1 + i % 16) + (i % 3) * 512;
    r.disk_gb = 20.0 + (i % 7) * 12.5;
    r.power_state = i % 6 == 0 ? "poweredOff" : (i % 31 == 5 ? "suspended" : "poweredOn");
    r.is_template = i % 17 == 0;
    r.srm_placeholder = i % 23 == 7 || i % 29 == 11;
    r.guest_os = i % 2 ? "ubuntu64Guest" : "windows2019srv_64Guest";
    r.creation_time = day(2026, 1, 1) + hours(i);
    rows.push_back(r);
  }
  return rows;
}

const std::vector<std::string> kSummaryColumns = {
    "period",           "vcenter",     "vcenter_uuid",    "instance_uuid", "name",          "datacenter",
    "cluster",          "tenant",      "folder",          "resource_pool", "samples_seen",  "samples_expected",
    "presence",         "avg_vcpu",    "max_vcpu",        "avg_ram_gb",    "max_ram_gb",    "avg_disk_gb",
    "powered_on_share", "is_template", "srm_placeholder", "node_charge",   "creation_time", "deletion_time"};

/// Node-hours of one node-charge cluster as the aggregator writes them into
/// summary_daily_nodes_YYYYMMDD (host samples x 24 / host snapshots the vCenter completed that
/// day, so a missed host snapshot is made up for, unlike a plain count of host rows) and
/// summary_monthly_nodes_YYYYMM (sums of the days, hosts the most of any day).
struct NodeRow {
  std::int64_t days = 0;  ///< monthly only
  std::int64_t hosts = 0;
  std::int64_t host_samples = 0;
  std::int64_t samples_expected = 0;
  double node_hours = 0;

  static NodeRow day(std::int64_t hosts, std::int64_t host_samples, std::int64_t samples_expected) {
    return NodeRow{1, hosts, host_samples, samples_expected,
                   static_cast<double>(host_samples) * 24.0 / static_cast<double>(samples_expected)};
  }
  void add_day(const NodeRow& d) {
    ++days;
    hosts = std::max(hosts, d.hosts);
    host_samples += d.host_samples;
    samples_expected += d.samples_expected;
    node_hours += d.node_hours;
  }
};

/// The day's node-charge cluster of vc1 (dedicated-01): on the 24th one host joins at noon and the
/// host snapshot of 06:00 is missing (see seed_database); on other days three hosts all day.
NodeRow node_day(unsigned d) {
  if (d == 24) return NodeRow::day(4, 3 * 11 + 4 * 12, 23);
  return NodeRow::day(3, 3 * 24, 24);
}

/// The aggregator's companion table of `summary` (`summary_daily_nodes_YYYYMMDD`, ...), holding `node`
/// for vc1's dedicated-01.
void write_nodes(store::Transaction& tx, const TableName& summary, const std::string& period, bool monthly,
                 const NodeRow& node) {
  const auto& d = tx.dialect();
  const std::string& name = summary.str();
  const std::string table = name.substr(0, name.rfind('_') + 1) + "nodes" + name.substr(name.rfind('_'));
  const std::string text(d.text_type()), integer(d.integer_type()), real(d.real_type());
  tx.execute("DROP TABLE IF EXISTS " + table);
  tx.execute("CREATE TABLE " + table + " (period " + text + " NOT NULL, vcenter " + text + ", vcenter_uuid " + text +
             " NOT NULL, datacenter " + text + ", cluster " + text + " NOT NULL, " +
             (monthly ? "days " + integer + " NOT NULL, " : std::string()) + "hosts " + integer +
             " NOT NULL, host_samples " + integer + " NOT NULL, samples_expected " + integer +
             " NOT NULL, node_hours " + real + " NOT NULL)");
  store::Params params{period, std::string("vc1.example.com"), std::string("uuid-vc-1"), std::string("dc1"),
                       std::string("dedicated-01")};
  if (monthly) params.push_back(node.days);
  for (const auto v : {node.hosts, node.host_samples, node.samples_expected}) params.push_back(v);
  params.push_back(node.node_hours);
  std::string values;
  for (std::size_t i = 1; i <= params.size(); ++i) values += (i > 1 ? ", $" : "$") + std::to_string(i);
  tx.execute("INSERT INTO " + table + " (period, vcenter, vcenter_uuid, datacenter, cluster, " +
                 (monthly ? "days, " : "") + "hosts, host_samples, samples_expected, node_hours) VALUES (" + values +
                 ")",
             params);
}

void write_summary(store::Database& db, const TableName& table, int vms, int salt, bool monthly, double expected,
                   const NodeRow& node) {
  db.transact([&](store::Transaction& tx) {
    const auto& d = tx.dialect();
    tx.execute("DROP TABLE IF EXISTS " + table.str());
    const std::string real(d.real_type()), boolean(d.boolean_type()), ts(d.timestamp_type()), text(d.text_type());
    std::string sql = "CREATE TABLE " + table.str() + " (period " + text + ", vcenter " + text + ", vcenter_uuid " +
                      text + ", instance_uuid " + text + ", name " + text + ", datacenter " + text + ", cluster " +
                      text + ", tenant " + text + ", folder " + text + ", resource_pool " + text + ", samples_seen " +
                      std::string(d.integer_type()) + ", samples_expected " + std::string(d.integer_type()) +
                      ", presence " + real + ", avg_vcpu " + real + ", max_vcpu " + real + ", avg_ram_gb " + real +
                      ", max_ram_gb " + real + ", avg_disk_gb " + real + ", powered_on_share " + real +
                      ", is_template " + boolean + ", srm_placeholder " + boolean + ", node_charge " + boolean +
                      ", creation_time " + ts + ", deletion_time " + ts +
                      (monthly ? ", days_present " + real : std::string()) + ")";
    tx.execute(sql);
    auto columns = kSummaryColumns;
    if (monthly) columns.push_back("days_present");
    auto insert = tx.bulk_insert(table.str(), columns);
    for (int vc = 1; vc <= 2; ++vc) {
      for (int i = 0; i < vms; ++i) {
        const int k = i + salt;
        const double presence = (k % 9 == 4) ? 0.25 + (k % 4) * 0.125 : 1.0;
        const std::string tenant = kTenants[static_cast<std::size_t>(i) % kTenants.size()];
        std::vector<store::Value> v = {
            std::string(monthly ? "2026-11" : "2026-11-" + std::to_string(salt)),
            "vc" + std::to_string(vc) + ".example.com",
            "uuid-vc-" + std::to_string(vc),
            "inst-" + std::to_string(vc) + "-" + std::to_string(i),
            vm_name(vc, i),
            std::string("dc1"),
            cluster_of(i),
            tenant,
            "/dc1/vm/" + tenant,
            kPools[static_cast<std::size_t>(i) % kPools.size()],
            std::int64_t(expected * presence),
            std::int64_t(expected),
            presence,
            1.0 + (k % 8) + (k % 3) * 0.25,
            2.0 + (k % 8),
            1.0 + (k % 16) + (k % 5) * 0.1,
            2.0 + (k % 16),
            20.0 + (k % 7) * 12.5,
            (k % 6 == 0) ? 0.0 : 0.5 + (k % 5) * 0.1,
            store::bool_value(i % 17 == 0),
            store::bool_value(i % 23 == 7 || i % 29 == 11),
            store::bool_value(cluster_of(i).starts_with("dedicated")),
            std::string("2026-01-01T00:00:00Z"),
            (k % 9 == 4) ? store::Value(std::string("2026-11-24T18:00:00Z")) : store::null_value(),
        };
        if (monthly) v.push_back(presence * 30.0);
        insert->add_row(v);
      }
    }
    const auto rows = insert->finish();
    write_nodes(tx, table, monthly ? "2026-11" : "2026-11-" + std::to_string(salt), monthly, node);
    store::SnapshotRegistry registry(db);
    registry.record(tx, store::Registration{table, std::nullopt, rows, store::SnapshotStatus::kOk, std::nullopt,
                                            std::chrono::milliseconds(0)});
  });
}

}  // namespace

Seed seed_database(const std::filesystem::path& sqlite_path, int vms) {
  return seed_database("sqlite", sqlite_path.string(), vms);
}

Seed seed_database(const std::string& driver, const std::string& url, int vms) {
  auto db = store::open_database(driver, url);
  store::SnapshotWriter writer(*db);
  for (int hour : {12, 13}) {
    const auto t = day(2026, 11, 24) + hours(hour);
    for (int vc = 1; vc <= 2; ++vc) {
      writer.write_vms(TableName::hourly(t), "vc" + std::to_string(vc) + ".example.com",
                       hourly_rows(vc, vms + hour, t));
    }
  }
  for (int hour = 0; hour < 24; ++hour) {
    if (hour == 6) continue;  // a missed host snapshot: the aggregator's node-hours make up for it
    const auto t = day(2026, 11, 24) + hours(hour);
    std::vector<store::HostRow> hosts;
    const int dedicated = hour < 12 ? 3 : 4;  // one host added at noon
    for (int h = 0; h < dedicated + 5; ++h) {
      store::HostRow r;
      r.snapshot_time = t;
      r.vcenter = "vc1.example.com";
      r.vcenter_uuid = "uuid-vc-1";
      r.host_id = "host-" + std::to_string(h);
      r.name = "esx" + std::to_string(h) + ".example.com";
      r.datacenter = "dc1";
      r.cluster = h < dedicated ? "dedicated-01" : "shared-01";
      r.cpu_cores = 32;
      r.cpu_mhz = 2600;
      r.ram_mb = 512 * 1024;
      r.power_state = "poweredOn";
      r.connection_state = "connected";
      hosts.push_back(r);
    }
    writer.write_hosts(TableName::hosts(t), "vc1.example.com", hosts);
  }
  NodeRow month_nodes;
  for (unsigned d : {1u, 2u, 3u, 4u, 5u, 24u}) {
    const NodeRow n = node_day(d);
    write_summary(*db, TableName::daily(year{2026} / month{11} / d), vms, static_cast<int>(d), false, 24, n);
    month_nodes.add_day(n);
  }
  write_summary(*db, TableName::monthly(year{2026} / month{11}), vms, 0, true, 720, month_nodes);
  return Seed{static_cast<std::size_t>(vms)};
}

std::string reporter_settings(const std::filesystem::path& sqlite_path, const std::filesystem::path& reports_dir,
                              bool with_rates, const std::string& nats_url, const std::string& driver) {
  std::string text =
      "settings:\n"
      "  database_driver: " +
      driver +
      "\n"
      "  database_url: \"" +
      sqlite_path.string() +
      "\"\n"
      "  reports_dir: " +
      reports_dir.string() +
      "\n"
      "  nats_url: " +
      (nats_url.empty() ? std::string("nats://127.0.0.1:1") : nats_url) +
      "\n"
      "  reporter_metrics_port: 0\n"
      "  vcenter_addresses: [https://vc1.example.com/sdk, https://vc2.example.com/sdk]\n"
      "  node_charge_clusters: [\"dedicated-*\"]\n"
      "  srm_activeactive_vms: [\"aa-*\"]\n"
      "  tenants_to_filter: [\"scratch*\"]\n";
  if (with_rates) {
    text +=
        "  rates:\n"
        "    currency: EUR\n"
        "    vcpu_hour: 0.01\n"
        "    ram_gb_hour: 0.005\n"
        "    disk_gb_month: 0.1\n"
        "    node_hour: 2.5\n"
        "    tenants:\n"
        "      finance:\n"
        "        vcpu_hour: 0.02\n"
        "    pools:\n"
        "      gold:\n"
        "        ram_gb_hour: 0.008\n";
  }
  return text;
}

}  // namespace vctp::test::reporter

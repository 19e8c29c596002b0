#include "collector_test_support.hpp"

namespace vctp::test {

std::string collector_binary() { return binary_dir().string() + "/bin/vctp-collector"; }

std::filesystem::path write_collector_settings(const TempDir& dir, const std::vector<std::string>& vcenters,
                                               const std::string& password, const std::string& extra) {
  std::string list;
  for (const auto& v : vcenters) list += (list.empty() ? "" : ", ") + v;
  const auto path = dir / "vctp.yml";
  write_file(path,
             "settings:\n"
             "  database_url: " +
                 (dir / "db.sqlite3").string() +
                 "\n"
                 "  vcenter_addresses: [" +
                 list +
                 "]\n"
                 "  vcenter_username: user\n"
                 "  vcenter_password: '" +
                 password +
                 "'\n"
                 "  nats_url: nats://127.0.0.1:1\n"  // no NATS answers there
                 "  collector_metrics_port: 0\n" +
                 extra);
  return path;
}

CommandResult run_collector_once(const std::filesystem::path& settings, const std::string& at) {
  std::string command = collector_binary() + " --once";
  if (!at.empty()) command += " --at " + at;
  command += " -settings " + settings.string();
  return run_command(command);
}

std::map<std::string, std::string> registry_status(store::Database& db, const std::string& table) {
  std::map<std::string, std::string> out;
  for (const auto& row : db.query("SELECT vcenter, status FROM snapshot_registry WHERE table_name = $1", {table})) {
    out[row.get_text("vcenter")] = row.get_text("status");
  }
  return out;
}

}  // namespace vctp::test

#include <catch2/catch.hpp>

#include <sys/mount.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "collector_test_support.hpp"
#include "vctp/store/database.hpp"

// Where the collector's vCenter password comes from, end to end: `vctp-collector --once` against
// the vCenter simulator, whose password only the right source knows.

using namespace vctp::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* kKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr const char* kOtherKey = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

/// `vctp-collector --once --at at -settings settings` with `env` set (and no other VCTP_ secret).
CommandResult run_once(const fs::path& settings, const std::string& at,
                       const std::map<std::string, std::string>& env = {}) {
  std::string command = "env -u VCTP_SECRET_KEY -u VCTP_VCENTER_PASSWORD";
  for (const auto& [name, value] : env) command += " " + name + "='" + value + "'";
  return run_command(command + " " + collector_binary() + " --once --at " + at + " -settings " + settings.string());
}

/// The JSON log lines of `output` at `level`.
std::vector<nlohmann::json> log_lines(const std::string& output, const std::string& level) {
  std::vector<nlohmann::json> lines;
  std::stringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '{') continue;
    auto json = nlohmann::json::parse(line, nullptr, false);
    if (!json.is_discarded() && json.value("level", "") == level) lines.push_back(std::move(json));
  }
  return lines;
}

/// Whether some warning of `output` mentions vcenter_password and names `settings`.
bool warns_about_password(const std::string& output, const fs::path& settings) {
  for (const auto& line : log_lines(output, "warn")) {
    if (line.dump().find("vcenter_password") != std::string::npos && line.value("settings", "") == settings.string()) {
      return true;
    }
  }
  return false;
}

class ReadOnlyTmpfs {
 public:
  /// A tmpfs at `where` holding `files` (name -> content), then remounted read-only.
  ReadOnlyTmpfs(const fs::path& where, const std::map<std::string, std::string>& files) : where_(where) {
    fs::create_directories(where_);
    mounted_ = ::mount("tmpfs", where_.c_str(), "tmpfs", 0, "size=1m,mode=0755") == 0;
    if (!mounted_) return;
    for (const auto& [name, text] : files) write_file(where_ / name, text);
    read_only_ = ::mount(nullptr, where_.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0;
  }
  ~ReadOnlyTmpfs() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  bool read_only() const { return mounted_ && read_only_; }

 private:
  fs::path where_;
  bool mounted_ = false;
  bool read_only_ = false;
};

}  // namespace

TEST_CASE("vcenter password: VCTP_VCENTER_PASSWORD wins and nothing is rewritten", "[collector]") {
  VcsimOptions options;
  options.password = "from env";
  VcsimProcess vcsim(options);
  TempDir dir;
  const auto settings = write_collector_settings(dir, {vcsim.sdk_url()}, "stale in file");
  const std::string before = read_file(settings);

  const auto result = run_once(settings, "2026-11-24T13:00:00Z", {{"VCTP_VCENTER_PASSWORD", "from env"}});
  INFO(result.output);
  CHECK(result.status == 0);
  CHECK(read_file(settings) == before);
  CHECK_FALSE(fs::exists(dir / "vctp-secret.key"));

  // Without it, the file's (wrong) password is used: the simulator refuses it.
  const auto without = run_once(settings, "2026-11-24T14:00:00Z");
  INFO(without.output);
  CHECK(without.status == 1);
}

TEST_CASE("vcenter password: vcenter_password_file wins, its newline stripped, nothing rewritten", "[collector]") {
  VcsimOptions options;
  options.password = "mounted secret";
  VcsimProcess vcsim(options);
  TempDir dir;
  const auto secret = dir / "password";
  write_file(secret, "mounted secret\n");
  const auto settings = write_collector_settings(dir, {vcsim.sdk_url()}, "stale in file",
                                                 "  vcenter_password_file: " + secret.string() + "\n");
  const std::string before = read_file(settings);

  const auto result = run_once(settings, "2026-11-24T13:00:00Z", {{"VCTP_VCENTER_PASSWORD", "stale in env"}});
  INFO(result.output);
  CHECK(result.status == 0);
  CHECK(read_file(settings) == before);
  CHECK(read_file(secret) == "mounted secret\n");
  CHECK_FALSE(fs::exists(dir / "vctp-secret.key"));

  // An unreadable password file is a startup error, not an empty password.
  fs::remove(secret);
  const auto missing = run_once(settings, "2026-11-24T14:00:00Z");
  INFO(missing.output);
  CHECK(missing.status == 1);
  CHECK_THAT(missing.output, Catch::Contains("vcenter_password_file"));
}

TEST_CASE("vcenter password: VCTP_SECRET_KEY is the key, no key file is made, a wrong key stops startup",
          "[collector]") {
  VcsimOptions options;
  options.password = "s3cret";
  VcsimProcess vcsim(options);
  TempDir dir;
  const auto settings = write_collector_settings(dir, {vcsim.sdk_url()}, "s3cret", "  log_output: json\n");

  const auto first = run_once(settings, "2026-11-24T13:00:00Z", {{"VCTP_SECRET_KEY", kKey}});
  INFO(first.output);
  REQUIRE(first.status == 0);
  const std::string encrypted = read_file(settings);
  CHECK_THAT(encrypted, !Catch::Contains("s3cret"));
  CHECK_THAT(encrypted, Catch::Contains("vcenter_password: \"enc:"));
  CHECK_FALSE(fs::exists(dir / "vctp-secret.key"));

  // A restart with the same key decrypts it.
  const auto again = run_once(settings, "2026-11-24T14:00:00Z", {{"VCTP_SECRET_KEY", kKey}});
  INFO(again.output);
  CHECK(again.status == 0);
  CHECK(read_file(settings) == encrypted);

  // Another key, a malformed one, or none (and no key file) fail at startup, before any vCenter
  // is asked, and say which setting and key are at fault; nothing is rewritten or created.
  for (const std::string& key : {std::string(kOtherKey), std::string("not-a-key"), std::string()}) {
    INFO("VCTP_SECRET_KEY=" << key);
    std::map<std::string, std::string> env;
    if (!key.empty()) env["VCTP_SECRET_KEY"] = key;
    const auto refused = run_once(settings, "2026-11-24T15:00:00Z", env);
    INFO(refused.output);
    CHECK(refused.status == 1);
    bool explained = false;
    for (const auto& line : log_lines(refused.output, "error")) {
      const std::string error = line.value("error", "");
      explained = explained || (error.find("vcenter_password") != std::string::npos &&
                                error.find("VCTP_SECRET_KEY") != std::string::npos);
    }
    CHECK(explained);
    CHECK(read_file(settings) == encrypted);
    CHECK_FALSE(fs::exists(dir / "vctp-secret.key"));
    auto db = vctp::store::open_database("sqlite", (dir / "db.sqlite3").string());
    CHECK(registry_status(*db, "snap_hourly_2026112415").empty());
  }
}

TEST_CASE("vcenter password: a settings file on a read-only mount stays as it was, with a warning", "[collector]") {
  VcsimOptions options;
  options.password = "plain pass";
  VcsimProcess vcsim(options);
  TempDir dir;
  const std::string text =
      read_file(write_collector_settings(dir, {vcsim.sdk_url()}, "plain pass", "  log_output: json\n"));
  ReadOnlyTmpfs mount(dir / "ro", {{"vctp.yml", text}});
  REQUIRE(mount.read_only());
  const auto settings = dir / "ro" / "vctp.yml";

  const auto result = run_once(settings, "2026-11-24T13:00:00Z");
  INFO(result.output);
  CHECK(result.status == 0);  // the plaintext password still works
  CHECK(read_file(settings) == text);
  CHECK(warns_about_password(result.output, settings));
  // The key would live beside the database, which is writable: nothing was encrypted, so no key.
  CHECK_FALSE(fs::exists(dir / "vctp-secret.key"));
}

TEST_CASE("vcenter password: a flow-style settings file is not rewritten, with a warning", "[collector]") {
  VcsimOptions options;
  options.password = "flow pass";
  VcsimProcess vcsim(options);
  TempDir dir;
  const auto settings = dir / "vctp.yml";
  const std::string text = "settings: {database_url: " + (dir / "db.sqlite3").string() + ", vcenter_addresses: [" +
                           vcsim.sdk_url() +
                           "], vcenter_username: user, vcenter_password: flow pass, log_output: json, nats_url: "
                           "'nats://127.0.0.1:1', collector_metrics_port: 0}\n";
  write_file(settings, text);

  const auto result = run_once(settings, "2026-11-24T13:00:00Z");
  INFO(result.output);
  CHECK(result.status == 0);
  CHECK(read_file(settings) == text);
  CHECK(warns_about_password(result.output, settings));
  CHECK_FALSE(fs::exists(dir / "vctp-secret.key"));
}

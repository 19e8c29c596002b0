#include "gateway_harness.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <random>
#include <stdexcept>

namespace vctp::test {
namespace {

std::string required_fixture(const std::string& name, const std::string& file) {
  const auto value = fixture_value(name, file);
  if (!value)
    throw std::runtime_error("the " + name + " fixture is not running (test-fixtures/" + name + "/" + file + ")");
  return *value;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

void psql_admin(const std::string& sql) {
  const auto result =
      run_command(required_fixture("postgres", "bindir") + "/psql -X -q -v ON_ERROR_STOP=1 " +
                  shell_quote(required_fixture("postgres", "superuser_dsn")) + " -c " + shell_quote(sql));
  if (result.status != 0) throw std::runtime_error("psql failed: " + sql + ": " + result.output);
}

}  // namespace

GatewayTestDatabase::GatewayTestDatabase(const std::string& driver) : driver_(driver) {
  if (driver == "sqlite") {
    url_ = (dir_.path() / "vctp.sqlite3").string();
    return;
  }
  std::random_device rd;
  pg_database_ = "vctp_gateway_" + std::to_string(::getpid()) + "_" + std::to_string(rd() % 1000000);
  psql_admin("CREATE DATABASE " + pg_database_ + " OWNER vctp");
  const auto dsn = required_fixture("postgres", "dsn");
  url_ = dsn.substr(0, dsn.rfind('/') + 1) + pg_database_;
}

GatewayTestDatabase::~GatewayTestDatabase() {
  if (pg_database_.empty()) return;
  try {
    psql_admin("DROP DATABASE IF EXISTS " + pg_database_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The fixture's stop removes the whole cluster.
  }
}

std::unique_ptr<store::Database> GatewayTestDatabase::open() const { return store::open_database(driver_, url_); }

HttpResult http_call(const std::string& method, const std::string& url, const std::string& body,
                     const std::vector<std::string>& headers, bool raw_path, const std::string& body_file) {
  TempDir tmp;
  std::string cmd = "curl -sk --max-time 60 -o " + shell_quote((tmp / "body").string()) + " -D " +
                    shell_quote((tmp / "headers").string()) + " -w '%{http_code}' -X " + method;
  if (raw_path) cmd += " --path-as-is";
  for (const auto& h : headers) cmd += " -H " + shell_quote(h);
  if (!body_file.empty()) {
    cmd += " -H 'Content-Type: application/json' --data-binary @" + shell_quote(body_file);
  } else if (!body.empty() || method == "POST") {
    write_file(tmp / "request", body);
    cmd += " -H 'Content-Type: application/json' --data-binary @" + shell_quote((tmp / "request").string());
  }
  cmd += " " + shell_quote(url);
  const auto result = run_command(cmd);
  HttpResult out;
  try {
    out.status = std::stoi(result.output.substr(result.output.size() >= 3 ? result.output.size() - 3 : 0));
  } catch (const std::exception&) {
    out.status = 0;
  }
  if (std::filesystem::exists(tmp / "body")) out.body = read_file(tmp / "body");
  if (std::filesystem::exists(tmp / "headers")) out.headers = read_file(tmp / "headers");
  return out;
}

std::string test_token_hash() {
  const auto result = run_command(binary_dir().string() + "/bin/vctp-gateway --hash-token " + kTestToken);
  if (result.status != 0) throw std::runtime_error("--hash-token failed: " + result.output);
  return result.output.substr(0, 64);
}

GatewayProcess::GatewayProcess(const TempDir& dir, const std::string& driver, const std::string& url,
                               const std::string& extra_settings)
    : dir_(dir.path()) {
  const bool plain = extra_settings.find("bind_disable_tls: true") != std::string::npos;
  const auto nats = fixture_value("nats", "url").value_or("nats://127.0.0.1:1");
  std::filesystem::create_directories(reports_dir());
  write_file(dir_ / "vctp.yml",
             "settings:\n  bind_ip: 127.0.0.1\n  bind_port: 0"
             "\n  tls_cert_filename: " +
                 cert_file().string() + "\n  tls_key_filename: " + key_file().string() + "\n  database_driver: " +
                 driver + "\n  database_url: \"" + url + "\"" + "\n  reports_dir: " + reports_dir().string() +
                 "\n  nats_url: " + nats + "\n  api_tokens: [\"" + test_token_hash() + "\"]\n" + extra_settings);
  child_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{binary_dir().string() + "/bin/vctp-gateway", "-settings", (dir_ / "vctp.yml").string()},
      dir_ / "gateway.log");
  port_ = logged_port(dir_ / "gateway.log", kGatewayListening, *child_);
  base_url_ = (plain ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(port_);
  const bool up =
      eventually([&] { return http_call("GET", base_url_ + "/api/health").status == 200 || !child_->running(); },
                 std::chrono::seconds(30));
  if (!up || !child_->running()) throw std::runtime_error("the gateway did not start:\n" + log());
}

GatewayProcess::~GatewayProcess() { stop(); }

std::string GatewayProcess::log() const {
  return std::filesystem::exists(dir_ / "gateway.log") ? read_file(dir_ / "gateway.log") : std::string();
}

std::optional<int> GatewayProcess::stop() {
  if (!child_) return std::nullopt;
  child_->signal(SIGTERM);
  auto status = child_->wait_for_exit(std::chrono::seconds(15));
  child_.reset();
  return status;
}

RawConnection::RawConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot connect to port " + std::to_string(port));
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const auto n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::pair<std::string, bool> RawConnection::read_until_close(std::chrono::milliseconds timeout) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<long long>(1, left.count()))) <= 0) continue;
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return {out, true};
    out.append(buf, static_cast<std::size_t>(n));
  }
  return {out, false};
}

}  // namespace vctp::test

#include "vcsim_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace vctp::test {

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string vcsim_executable() { return VCTP_VCSIM; }

std::pair<int, std::string> http_request(const std::string& url, const std::string& method, const std::string& body) {
  // url: http://127.0.0.1:PORT/path
  const std::string prefix = "http://";
  if (url.compare(0, prefix.size(), prefix) != 0) throw std::runtime_error("not an http:// URL: " + url);
  const auto rest = url.substr(prefix.size());
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  const std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  const std::string host = authority.substr(0, colon);
  const int port = std::stoi(authority.substr(colon + 1));

  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    throw std::runtime_error("not an IPv4 address: " + host);
  }
  timeval tv{120, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    ::close(fd);
    throw std::runtime_error("connect to " + authority + ": " + std::strerror(e));
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + authority +
                    "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  for (std::size_t sent = 0; sent < req.size();) {
    const auto n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("send to " + authority + " failed");
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buf[65536];
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    response.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto header_end = response.find("\r\n\r\n");
  if (response.size() < 12 || header_end == std::string::npos) {
    throw std::runtime_error("no HTTP answer from " + url);
  }
  const int status = std::stoi(response.substr(9, 3));
  std::string payload = response.substr(header_end + 4);
  // The control API answers small bodies; Go chunks only large ones. De-chunk if needed.
  if (response.substr(0, header_end).find("Transfer-Encoding: chunked") != std::string::npos) {
    std::string out;
    std::size_t pos = 0;
    for (;;) {
      const auto eol = payload.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const auto size = std::stoul(payload.substr(pos, eol - pos), nullptr, 16);
      if (size == 0) break;
      out.append(payload, eol + 2, size);
      pos = eol + 2 + size + 2;
    }
    payload = std::move(out);
  }
  return {status, payload};
}

VcsimProcess::VcsimProcess(VcsimOptions options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/vctp-vcsim-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = tmpl;
  const auto url_file = dir_ / "sdk-url";
  const auto control_file = dir_ / "control-url";
  const auto log_file = dir_ / "vcsim.log";

  std::vector<std::string> args = {
      vcsim_executable(),
      "-datacenters=" + std::to_string(options_.datacenters),
      "-clusters=" + std::to_string(options_.clusters),
      "-cluster-hosts=" + std::to_string(options_.cluster_hosts),
      "-hosts=" + std::to_string(options_.hosts),
      "-vms=" + std::to_string(options_.vms),
      "-pools=" + std::to_string(options_.pools),
      std::string("-tls=") + (options_.tls ? "true" : "false"),
      "-username=" + options_.username,
      "-password=" + options_.password,
      "-random-sizes=" + std::to_string(options_.random_sizes_seed),
      "-max-objects=" + std::to_string(options_.max_objects),
      "-url-file=" + url_file.string(),
      "-control-url-file=" + control_file.string(),
      "-cert-file=" + (dir_ / "cert.pem").string(),
  };
  if (!options_.instance_uuid.empty()) args.push_back("-instance-uuid=" + options_.instance_uuid);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (!std::filesystem::exists(url_file) || !std::filesystem::exists(control_file)) {
    if (!running()) {
      const auto text = log();
      stop();
      throw std::runtime_error("vcsim exited before serving: " + text);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw std::runtime_error("vcsim did not start within the time limit");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sdk_url_ = trim(slurp(url_file));
  control_url_ = trim(slurp(control_file));
}

VcsimProcess::~VcsimProcess() { stop(); }

void VcsimProcess::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

void VcsimProcess::kill() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

bool VcsimProcess::running() {
  if (pid_ <= 0) return false;
  if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string VcsimProcess::log() const { return dir_.empty() ? std::string() : slurp(dir_ / "vcsim.log"); }

nlohmann::json VcsimProcess::dump() const {
  const auto [status, body] = http_request(control_url_ + "/dump", "GET", "");
  if (status != 200) throw std::runtime_error("vcsim /dump: HTTP " + std::to_string(status) + ": " + body);
  return nlohmann::json::parse(body);
}

nlohmann::json VcsimProcess::stats() const {
  const auto [status, body] = http_request(control_url_ + "/stats", "GET", "");
  if (status != 200) throw std::runtime_error("vcsim /stats: HTTP " + std::to_string(status) + ": " + body);
  return nlohmann::json::parse(body);
}

int VcsimProcess::calls(const std::string& method) const {
  const auto s = stats();
  const auto& calls = s.at("calls");
  return calls.contains(method) ? calls.at(method).get<int>() : 0;
}

nlohmann::json VcsimProcess::control(const std::string& path, const nlohmann::json& body) const {
  const auto [status, text] = http_request(control_url_ + path, "POST", body.dump());
  if (status != 200) throw std::runtime_error("vcsim " + path + ": HTTP " + std::to_string(status) + ": " + text);
  return nlohmann::json::parse(text);
}

}  // namespace vctp::test

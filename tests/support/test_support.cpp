#include "test_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace vctp::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "vctp-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path fixtures_dir() {
  if (const char* dir = std::getenv("VCTP_TEST_FIXTURES")) return dir;
  return VCTP_TEST_FIXTURES_DIR;
}

std::optional<std::string> fixture_value(const std::string& name, const std::string& file) {
  std::ifstream in(fixtures_dir() / name / file);
  if (!in) return std::nullopt;
  std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return value;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a free port");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::filesystem::path source_dir() { return VCTP_SOURCE_DIR; }

std::filesystem::path binary_dir() { return VCTP_BINARY_DIR; }

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CommandResult run_command(const std::string& command) {
  const std::string full = command + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string output;
  std::array<char, 4096> buf{};
  while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), output};
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_path,
                           const std::vector<std::string>& extra_env) {
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!log_path.empty()) {
      const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(fd);
      }
    }
    for (const auto& kv : extra_env) ::putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::_Exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (running()) {
    signal(SIGTERM);
    if (!wait_for_exit(std::chrono::seconds(10))) {
      signal(SIGKILL);
      wait_for_exit(std::chrono::seconds(5));
    }
  }
}

void ChildProcess::signal(int sig) {
  if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!status_) {
    int status = 0;
    const int r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (r < 0) {
      status_ = -1;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

bool ChildProcess::running() { return !wait_for_exit(std::chrono::milliseconds(0)).has_value(); }

bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (probe()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int logged_port(const std::filesystem::path& log_path, const std::string& message, ChildProcess& child,
                std::chrono::milliseconds timeout) {
  static const std::regex port_field(R"((?:\bport=|"port":")(\d+))");
  const auto find = [&]() -> std::optional<int> {
    std::ifstream in(log_path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(message) == std::string::npos) continue;
      std::smatch m;
      if (std::regex_search(line, m, port_field)) return std::stoi(m[1].str());
    }
    return std::nullopt;
  };
  std::optional<int> port;
  // The log is read once more after the child ended: it may have logged the port and then failed.
  eventually([&] { return (port = find()).has_value() || !child.running(); }, timeout);
  if (!port) port = find();
  if (!port || *port <= 0) {
    const std::string log = std::filesystem::exists(log_path) ? read_file(log_path) : "(no log)";
    throw std::runtime_error("no \"" + message + "\" line with a port in " + log_path.string() + ":\n" + log);
  }
  return *port;
}

std::string http_get(const std::string& url) {
  const auto result = run_command("curl -sf --max-time 5 '" + url + "'");
  return result.status == 0 ? result.output : std::string();
}

}  // namespace vctp::test

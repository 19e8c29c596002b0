#include "nats_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace vctp::bus::test {

namespace {

std::string server_binary() {
  for (const char* candidate : {"/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  throw std::runtime_error("nats-server not found: install Debian's nats-server package");
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

// A probed free port, not port 0: the tests stop and start the server again on the same port,
// and some point a client at it before it runs.
NatsServer::NatsServer(std::vector<std::string> extra_args, int port)
    : extra_args_(std::move(extra_args)), port_(port != 0 ? port : vctp::test::free_port()) {
  start();
}

NatsServer::~NatsServer() {
  try {
    stop(true);
  } catch (...) {
    // Nothing more to do in a destructor; the temporary directory goes anyway.
  }
}

void NatsServer::start() {
  if (pid_ > 0) return;
  const std::string log = (dir_ / ("nats-server-" + std::to_string(++starts_) + ".log")).string();
  std::vector<std::string> args{server_binary(),          "-js", "-a", "127.0.0.1", "-p", std::to_string(port_), "-sd",
                                (dir_ / "store").string()};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("nats-server exited at start: " + vctp::test::read_file(log));
    }
    if (std::filesystem::exists(log) && vctp::test::read_file(log).find("Server is ready") != std::string::npos &&
        accepts_connections(port_)) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop(true);
  throw std::runtime_error("nats-server did not become ready within 20 s on port " + std::to_string(port_));
}

void NatsServer::stop(bool kill) {
  if (pid_ <= 0) return;
  ::kill(pid_, kill ? SIGKILL : SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace vctp::bus::test

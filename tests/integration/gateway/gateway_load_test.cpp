// The real vctp-gateway under 300 connections doing requests (3,000 a second) while 500 slow clients hold
// connections open (trickled headers, a body trickled after a 413, a body stalled into a 408),
// each reconnected as soon as the gateway drops it: /api/health and /readyz, probed on new
// connections the way an orchestrator does, keep answering 200 within a second.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>
#include <tuple>

#include "gateway_harness.hpp"

using namespace vctp::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kProbeDeadline = 1s;
/// Each busy client sends its next request this long after an answer: 3,000 requests a second
/// in all. Clients sending flat out would measure how much CPU a shared test machine has left
/// for the probes, not whether the gateway lets them through.
constexpr auto kBusyPace = 100ms;

/// 800 sockets and more: the soft limit on open files (often 1024) raised to the hard one.
void raise_open_file_limit() {
  rlimit limit{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
  limit.rlim_cur = limit.rlim_max;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &limit) == 0);
  REQUIRE((limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > 1000));
}

/// A non-blocking connection to 127.0.0.1:port (connected: loopback connects at once), or -1.
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

bool send_all(int fd, const std::string& data) {
  return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
}

/// The status of a complete HTTP response at the start of `in` (and its length), or 0 while
/// it is incomplete.
std::pair<int, std::size_t> complete_response(const std::string& in) {
  const auto end = in.find("\r\n\r\n");
  if (end == std::string::npos || in.size() < 12) return {0, 0};
  std::size_t length = 0;
  for (const char* name : {"Content-Length: ", "content-length: "}) {
    const auto at = in.find(name);
    if (at != std::string::npos && at < end) length = std::stoul(in.substr(at + std::strlen(name)));
  }
  if (in.size() < end + 4 + length) return {0, 0};
  return {std::stoi(in.substr(9, 3)), end + 4 + length};
}

/// One slow or busy client connection of the load.
struct Client {
  int fd = -1;
  bool slow = false;
  int kind = 0;  ///< for slow ones: which partial request it trickles
  std::string in;
  Clock::time_point next_byte;  ///< slow ones: when to trickle the next byte
  Clock::time_point next_request;  ///< busy ones: when to send the next request, once answered
  bool waiting = false;  ///< busy ones: a request is out
  Clock::time_point opened;
  Clock::time_point reconnect_at;  ///< while fd is -1
};

/// The partial requests slow clients send before trickling one byte a second.
const char* const kPartialRequests[] = {
    // headers that never end: cut off at read_timeout
    "GET /api/vcenters HTTP/1.1\r\nHost: x\r\nX-Slow: ",
    // a body too large: a 413, then the rest trickled into the drain
    "POST /api/snapshots/aggregate HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n",
    // a body that stalls: a 408 at read_timeout
    "POST /api/snapshots/aggregate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "Content-Length: 1000\r\n\r\n{",
};
const char* const kBusyPaths[] = {"/api/vcenters", "/api/snapshots?limit=10", "/api/health", "/api/inventory?limit=10"};

/// The connections, driven from one thread with poll(2). A client the gateway drops reconnects at
/// once, so the slow ones keep holding their connections; one refused or dropped within its
/// first second retries a second later, as an attack tool keeps its connection count (a flood of
/// thousands of new connections a second is the firewall's to stop, not a connection reserve's).
class Load {
 public:
  Load(int port, int slow_clients, int busy_clients) : port_(port), slow_(slow_clients), busy_(busy_clients) {}
  ~Load() {
    for (auto& c : clients_) {
      if (c.fd >= 0) ::close(c.fd);
    }
  }

  void open_all() {
    for (int i = 0; i < slow_ + busy_; ++i) {
      Client c;
      c.slow = i < slow_;
      c.kind = i % 3;
      clients_.push_back(std::move(c));
      start(clients_.back());
    }
  }

  void run(const std::atomic<bool>& stop) {
    std::vector<pollfd> fds;
    while (!stop) {
      fds.clear();
      for (const auto& c : clients_) fds.push_back({c.fd, POLLIN, 0});
      ::poll(fds.data(), fds.size(), 20);
      const auto now = Clock::now();
      for (std::size_t i = 0; i < clients_.size(); ++i) {
        auto& c = clients_[i];
        if (c.fd < 0) {
          if (now >= c.reconnect_at) start(c);
          continue;
        }
        if (fds[i].revents != 0 && !on_readable(c)) restart(c);
        if (c.slow && c.fd >= 0 && now >= c.next_byte) {
          c.next_byte = now + 1s;
          if (!send_all(c.fd, "a")) restart(c);
        }
        if (c.fd >= 0 && !c.slow && !c.waiting && now >= c.next_request) send_request(c);
      }
    }
  }

  std::size_t slow_reconnects = 0;
  std::size_t busy_reconnects = 0;
  std::size_t busy_answers = 0;
  std::size_t busy_not_ok = 0;
  int last_not_ok_status = 0;

 private:
  void start(Client& c) {
    c.in.clear();
    c.fd = connect_to(port_);
    c.opened = Clock::now();
    c.next_byte = c.opened + 1s;
    c.reconnect_at = c.opened + 1s;
    if (c.fd < 0) return;
    if (c.slow) {
      send_all(c.fd, kPartialRequests[c.kind]);
    } else {
      send_request(c);
    }
  }

  void restart(Client& c) {
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    ++(c.slow ? slow_reconnects : busy_reconnects);
    const auto now = Clock::now();
    if (now - c.opened >= 1s) start(c);
    c.reconnect_at = std::max(now, c.opened + 1s);
  }

  void send_request(Client& c) {
    c.waiting = true;
    const std::string path = kBusyPaths[(busy_answers + static_cast<std::size_t>(c.fd)) % std::size(kBusyPaths)];
    send_all(c.fd, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
  }

  /// Reads what came; false when the connection is gone.
  bool on_readable(Client& c) {
    char buf[16384];
    const auto n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return false;
    if (n < 0 || c.slow) return true;  // what slow clients get is the error answer: ignored
    c.in.append(buf, static_cast<std::size_t>(n));
    for (auto [status, length] = complete_response(c.in); status != 0; std::tie(status, length) = complete_response(c.in)) {
      ++busy_answers;
      if (status != 200) {
        ++busy_not_ok;
        last_not_ok_status = status;
      }
      c.in.erase(0, length);
      c.waiting = false;
      c.next_request = Clock::now() + kBusyPace;
    }
    return true;
  }

  int port_;
  int slow_;
  int busy_;
  std::vector<Client> clients_;
};

struct ProbeResult {
  int status = 0;
  Clock::duration latency{};
};

/// One probe as an orchestrator sends it: a new connection, one GET, the answer read whole.
/// Waits up to 5 s, so that a slow answer is measured rather than cut off.
ProbeResult probe(int port, const std::string& path) {
  ProbeResult result;
  const auto start = Clock::now();
  const int fd = connect_to(port);
  if (fd < 0) return result;
  std::string in;
  if (send_all(fd, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
    while (Clock::now() - start < 5s && complete_response(in).first == 0) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN)) break;
      if (n > 0) in.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  result.status = complete_response(in).first;
  result.latency = Clock::now() - start;
  return result;
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

/// Probes /api/health and /readyz in turn for `how_long`, every 100 ms; prints the latencies
/// and returns how many probes failed (not 200, or later than kProbeDeadline).
std::size_t probe_for(int port, Clock::duration how_long) {
  std::size_t failed = 0;
  std::map<std::string, std::vector<Clock::duration>> latencies;
  const auto end = Clock::now() + how_long;
  while (Clock::now() < end) {
    for (const std::string path : {"/api/health", "/readyz"}) {
      const auto r = probe(port, path);
      latencies[path].push_back(r.latency);
      if (r.status != 200 || r.latency > kProbeDeadline) {
        ++failed;
        UNSCOPED_INFO(path << ": status " << r.status << " after " << ms(r.latency) << " ms");
      }
    }
    std::this_thread::sleep_for(100ms);  // the probes' pace
  }
  for (auto& [path, all] : latencies) {
    std::sort(all.begin(), all.end());
    std::printf("gateway load: %s: %zu probes, median %.1f ms, p99 %.1f ms, max %.1f ms\n", path.c_str(), all.size(),
                ms(all[all.size() / 2]), ms(all[all.size() * 99 / 100]), ms(all.back()));
  }
  return failed;
}

}  // namespace

TEST_CASE("gateway load: probes answer within a second under 300 busy and 500 slow connections", "[load]") {
  raise_open_file_limit();
  TempDir dir;
  GatewayTestDatabase db("sqlite");
  GatewayProcess gateway(dir, db.driver(), db.url(), "  bind_disable_tls: true\n");
  Load load(gateway.port(), 500, 300);
  load.open_all();
  std::atomic<bool> stop{false};
  std::thread driver([&] { load.run(stop); });
  // 25 s: past the 10 s read timeout twice, so the slow clients are cut off and come back.
  const auto failed = probe_for(gateway.port(), 25s);
  stop = true;
  driver.join();
  std::printf("gateway load: %zu probes failed; busy clients: %zu answers in 25 s (%zu not 200, last %d), "
              "%zu reconnects; slow clients: %zu reconnects\n",
              failed, load.busy_answers, load.busy_not_ok, load.last_not_ok_status, load.busy_reconnects,
              load.slow_reconnects);
  CHECK(failed == 0);
  CHECK(load.busy_answers > 0);
  CHECK(load.busy_not_ok == 0);
  CHECK(gateway.running());
}

TEST_CASE("gateway load: 600 slow clients against 512 connections: probes still answer within a second", "[load]") {
  // The review's attack: more slow clients than the connection cap (512 before it became a
  // setting), a third of them trickling a body after its 413.
  raise_open_file_limit();
  TempDir dir;
  GatewayTestDatabase db("sqlite");
  GatewayProcess gateway(dir, db.driver(), db.url(), "  bind_disable_tls: true\n  bind_max_connections: 512\n");
  Load load(gateway.port(), 600, 0);
  load.open_all();
  std::atomic<bool> stop{false};
  std::thread driver([&] { load.run(stop); });
  const auto failed = probe_for(gateway.port(), 15s);
  stop = true;
  driver.join();
  std::printf("gateway load: %zu probes failed; slow clients: %zu reconnects\n", failed, load.slow_reconnects);
  CHECK(failed == 0);
  CHECK(gateway.running());
}


#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "gateway_harness.hpp"
#include "vctp/http/server.hpp"

using namespace vctp;
using namespace vctp::test;
using namespace std::chrono_literals;

namespace {

http::Response echo(http::Request& r) {
  if (r.path == "/slow") std::this_thread::sleep_for(300ms);
  return http::Response::make(200, r.method + " " + r.path + " " + std::to_string(r.body.size()), "text/plain");
}

http::ServerOptions plain_options() {
  http::ServerOptions o;
  o.tls = false;
  o.max_body_bytes = 64 * 1024;
  o.max_header_bytes = 4096;
  o.read_timeout = 1500ms;
  return o;
}

std::string get(int port, const std::string& path) {
  return http_call("GET", "http://127.0.0.1:" + std::to_string(port) + path).body;
}

}  // namespace

TEST_CASE("http server: keep-alive serves several requests on one connection", "[http]") {
  http::Server server(plain_options(), echo);
  server.start();
  RawConnection c(server.port());
  REQUIRE(c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const auto [text, closed] = c.read_until_close(10s);
  CHECK(closed);
  CHECK_THAT(text, Catch::Contains("GET /a 0") && Catch::Contains("GET /b 0"));
  server.stop();
}

TEST_CASE("http server: oversized bodies and headers get 413 and 431, the server keeps serving", "[http]") {
  http::Server server(plain_options(), echo);
  server.start();
  {
    RawConnection c(server.port());
    const std::string body(10 * 1024 * 1024, 'x');
    c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    c.send(body);  // the server may answer before it has read it all
    const auto [text, closed] = c.read_until_close(10s);
    CHECK_THAT(text, Catch::StartsWith("HTTP/1.1 413"));
    CHECK_THAT(text, Catch::Contains("payload_too_large"));
  }
  {
    // A chunked body has no length up front: the limit applies while reading.
    RawConnection c(server.port());
    std::string chunked = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 40; ++i) chunked += "1000\r\n" + std::string(4096, 'y') + "\r\n";
    chunked += "0\r\n\r\n";
    c.send(chunked);
    CHECK_THAT(c.read_until_close(10s).first, Catch::StartsWith("HTTP/1.1 413"));
  }
  {
    RawConnection c(server.port());
    c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'z') + "\r\n\r\n");
    CHECK_THAT(c.read_until_close(10s).first, Catch::StartsWith("HTTP/1.1 431"));
  }
  {
    RawConnection c(server.port());
    c.send("THIS IS NOT HTTP\r\n\r\n");
    CHECK_THAT(c.read_until_close(10s).first, Catch::StartsWith("HTTP/1.1 400"));
  }
  CHECK(get(server.port(), "/still") == "GET /still 0");
  server.stop();
}

TEST_CASE("http server: a slow-loris client is cut off and does not block others", "[http]") {
  auto options = plain_options();
  options.io_threads = 1;
  options.handler_threads = 1;
  http::Server server(options, echo);
  server.start();
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 8; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server.port()));
    slow.back()->send("GET /slow-loris HTTP/1.1\r\nHost: x\r\n");
  }
  // While they trickle, others are served.
  CHECK(get(server.port(), "/other") == "GET /other 0");
  // Trickle one header byte every 100 ms, far longer than the read timeout allows.
  const std::string header = "X-Trickle: " + std::string(200, 'a') + "\r\n";
  bool cut_off = false;
  for (std::size_t i = 0; i < header.size() && !cut_off; ++i) {
    for (auto& c : slow) cut_off = !c->send(header.substr(i, 1)) || cut_off;
    std::this_thread::sleep_for(100ms);  // the trickle's pace, what the test is about
    if (i % 5 == 0) {
      const auto [text, closed] = slow.front()->read_until_close(1ms);
      cut_off = cut_off || closed;
    }
  }
  CHECK(cut_off);
  CHECK(get(server.port(), "/after") == "GET /after 0");
  server.stop();
}

TEST_CASE("http server: a client trickling its body after a 413 is closed within a few seconds", "[http]") {
  http::Server server(plain_options(), echo);
  server.start();
  RawConnection c(server.port());
  REQUIRE(c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n"));
  // One byte every 300 ms, each well inside the 1.5 s read timeout: it must not extend the drain.
  std::string answer;
  bool closed = false;
  const auto give_up = std::chrono::steady_clock::now() + 15s;
  while (!closed && std::chrono::steady_clock::now() < give_up) {
    closed = !c.send("x");
    const auto [text, peer_closed] = c.read_until_close(300ms);  // the trickle's pace
    answer += text;
    closed = closed || peer_closed;
  }
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 413"));
  CHECK(closed);
  CHECK(get(server.port(), "/after") == "GET /after 0");
  server.stop();
}

TEST_CASE("http server: a body that stalls past the read timeout gets a 408", "[http]") {
  http::Server server(plain_options(), echo);
  server.start();
  {
    RawConnection c(server.port());
    REQUIRE(c.send("POST /stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"));
    const auto [text, closed] = c.read_until_close(10s);
    CHECK_THAT(text, Catch::StartsWith("HTTP/1.1 408"));
    CHECK_THAT(text, Catch::Contains("\"error\":\"request_timeout\""));
    CHECK(closed);
  }
  {
    // Trickled: each byte comes in time, the whole body does not.
    RawConnection c(server.port());
    REQUIRE(c.send("POST /trickled HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"));
    std::string text;
    for (int i = 0; i < 100 && text.empty(); ++i) {
      c.send("y");
      text = c.read_until_close(200ms).first;  // the trickle's pace
    }
    CHECK_THAT(text, Catch::StartsWith("HTTP/1.1 408"));
  }
  CHECK(get(server.port(), "/after") == "GET /after 0");
  server.stop();
}

TEST_CASE("http server: idle_timeout bounds the wait between keep-alive requests, not read_timeout", "[http]") {
  auto options = plain_options();
  options.read_timeout = 1s;
  options.idle_timeout = 4s;
  http::Server server(options, echo);
  server.start();
  RawConnection c(server.port());
  REQUIRE(c.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(eventually([&] { return !c.read_until_close(50ms).first.empty(); }, 10s));
  // Idle for twice the read timeout: still open.
  const auto [nothing, closed_early] = c.read_until_close(2s);
  CHECK_FALSE(closed_early);
  REQUIRE(c.send("GET /second HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(eventually([&] { return !c.read_until_close(50ms).first.empty(); }, 10s));
  // Idle past idle_timeout: closed.
  const auto [rest, closed] = c.read_until_close(15s);
  CHECK(closed);
  server.stop();
}

TEST_CASE("http server: with every connection held by slow clients, a probe still gets 200 at once", "[http]") {
  auto options = plain_options();
  options.max_connections = 16;
  options.reserved_connections = 4;
  options.probe_paths = {"/healthz"};
  options.read_timeout = 60s;  // the slow clients are not cut off while the test runs
  http::Server server(options, echo);
  server.start();
  std::vector<std::unique_ptr<RawConnection>> slow;
  const auto hold_one = [&] {
    slow.push_back(std::make_unique<RawConnection>(server.port()));
    slow.back()->send("GET /slow-loris HTTP/1.1\r\nHost: x\r\n");
  };
  for (int i = 0; i < 12; ++i) hold_one();
  // The ordinary share is full once another path gets the reserved slots' 503.
  const auto other_refused = [&] {
    RawConnection c(server.port());
    c.send("GET /other HTTP/1.1\r\nHost: x\r\n\r\n");
    return c.read_until_close(2s).first.rfind("HTTP/1.1 503", 0) == 0;
  };
  CHECK(eventually(other_refused, 10s));
  for (int i = 0; i < 8; ++i) hold_one();  // the reserved slots taken too, and then some
  for (int round = 0; round < 3; ++round) {
    RawConnection probe(server.port());
    REQUIRE(probe.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto [text, closed] = probe.read_until_close(1s);  // bounds a hang: the answer takes ms
    CHECK_THAT(text, Catch::StartsWith("HTTP/1.1 200"));
    CHECK(closed);  // a reserved slot serves one request and is given back
    hold_one();
  }
  CHECK(other_refused());
  slow.clear();
  CHECK(eventually([&] { return get(server.port(), "/again") == "GET /again 0"; }, 10s));
  server.stop();
}

TEST_CASE("http server: connections beyond max_connections are closed at once", "[http]") {
  auto options = plain_options();
  options.max_connections = 2;
  options.read_timeout = 30s;
  http::Server server(options, echo);
  server.start();
  auto a = std::make_unique<RawConnection>(server.port());
  auto b = std::make_unique<RawConnection>(server.port());
  a->send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");  // make sure both are accepted first
  b->send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(eventually([&] { return !a->read_until_close(50ms).first.empty(); }, 10s));
  CHECK(eventually([&] { return !b->read_until_close(50ms).first.empty(); }, 10s));
  RawConnection third(server.port());
  const auto [text, closed] = third.read_until_close(10s);
  CHECK(closed);
  CHECK(text.empty());
  a.reset();
  b.reset();
  CHECK(eventually([&] { return get(server.port(), "/again") == "GET /again 0"; }, 10s));
  server.stop();
}

TEST_CASE("http server: stop lets the request in progress finish", "[http]") {
  std::atomic<bool> in_progress{false};
  http::Server server(plain_options(), [&](http::Request& r) {
    in_progress = true;
    return echo(r);
  });
  server.start();
  std::string answer;
  std::thread client([&] { answer = get(server.port(), "/slow"); });
  // Stopped once the handler runs (it takes 300 ms), not after a guess at how long that takes.
  REQUIRE(eventually([&] { return in_progress.load(); }, 10s));
  server.stop();
  client.join();
  CHECK(answer == "GET /slow 0");
  CHECK(http_call("GET", "http://127.0.0.1:" + std::to_string(server.port()) + "/x").status == 0);
}

TEST_CASE("http server: a handler that throws gives a 500, not a crash", "[http]") {
  http::Server server(plain_options(), [](http::Request&) -> http::Response { throw std::runtime_error("boom"); });
  server.start();
  const auto r = http_call("GET", "http://127.0.0.1:" + std::to_string(server.port()) + "/x");
  CHECK(r.status == 500);
  CHECK_THAT(r.body, Catch::Contains("internal"));
  server.stop();
}

TEST_CASE("http server: HTTPS with a generated self-signed certificate", "[http][tls]") {
  TempDir dir;
  const auto cert = dir / "tls" / "server.crt";
  const auto key = dir / "tls" / "server.key";
  CHECK(http::ensure_certificate(cert, key, "127.0.0.1") == http::CertificateStatus::kGenerated);
  CHECK(http::ensure_certificate(cert, key, "127.0.0.1") == http::CertificateStatus::kExisting);
  struct stat st {};
  REQUIRE(::stat(key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto text = run_command("openssl x509 -in " + cert.string() + " -noout -text");
  CHECK_THAT(text.output, Catch::Contains("IP Address:127.0.0.1") && Catch::Contains("DNS:localhost"));

  auto options = plain_options();
  options.tls = true;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  http::Server server(options, echo);
  server.start();
  const auto port = std::to_string(server.port());
  // Verified against the certificate itself: the SAN matches 127.0.0.1.
  const auto verified = run_command("curl -s --cacert " + cert.string() + " https://127.0.0.1:" + port + "/tls");
  CHECK(verified.status == 0);
  CHECK(verified.output == "GET /tls 0");
  // Two requests on one kept-alive TLS connection.
  const auto twice = run_command("curl -s -w ' %{num_connects};' --cacert " + cert.string() + " https://127.0.0.1:" +
                                 port + "/one https://127.0.0.1:" + port + "/two");
  CHECK(twice.output == "GET /one 0 1;GET /two 0 0;");
  // Plain HTTP on the TLS port is refused without harm.
  CHECK(http_call("GET", "http://127.0.0.1:" + port + "/plain").status != 200);
  CHECK(http_call("GET", "https://127.0.0.1:" + port + "/again").body == "GET /again 0");
  server.stop();
}

TEST_CASE("http server: unusable certificate or address fail at start with a clear error", "[http][tls]") {
  TempDir dir;
  write_file(dir / "bad.crt", "not a certificate");
  write_file(dir / "bad.key", "not a key");
  auto options = plain_options();
  options.tls = true;
  options.tls_cert_file = dir / "bad.crt";
  options.tls_key_file = dir / "bad.key";
  http::Server bad_cert(options, echo);
  CHECK_THROWS_AS(bad_cert.start(), http::ServerError);

  http::Server first(plain_options(), echo);
  first.start();
  auto same = plain_options();
  same.port = first.port();
  http::Server second(same, echo);
  CHECK_THROWS_AS(second.start(), http::ServerError);
  auto bad_ip = plain_options();
  bad_ip.bind_ip = "not-an-ip";
  http::Server third(bad_ip, echo);
  CHECK_THROWS_AS(third.start(), http::ServerError);
  first.stop();
}

namespace {

/// TCP_NODELAY of each connection this process accepted on `port` (sockets bound to it that do
/// not listen), found through /proc/self/fd.
std::vector<int> accepted_nodelay(int port) {
  std::vector<int> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    sockaddr_in local{};
    socklen_t len = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0 || local.sin_family != AF_INET ||
        ntohs(local.sin_port) != port) {
      continue;
    }
    int listening = 0;
    socklen_t n = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &n) != 0 || listening) continue;
    int nodelay = 0;
    n = sizeof nodelay;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &n) == 0) out.push_back(nodelay);
  }
  return out;
}

}  // namespace

TEST_CASE("http server: accepted connections have TCP_NODELAY, plain and TLS", "[http][tls]") {
  const bool tls = GENERATE(false, true);
  INFO((tls ? "TLS" : "plain"));
  TempDir dir;
  auto options = plain_options();
  if (tls) {
    options.tls = true;
    options.tls_cert_file = dir / "server.crt";
    options.tls_key_file = dir / "server.key";
    http::ensure_certificate(options.tls_cert_file, options.tls_key_file, "127.0.0.1");
  }
  http::Server server(options, echo);
  server.start();
  // A connection held open (the handshake is not needed: the option is set at accept).
  RawConnection c(server.port());
  // The option is set just after accept: wait until the connection is seen with it.
  std::vector<int> flags;
  const bool set = eventually([&] {
    flags = accepted_nodelay(server.port());
    return !flags.empty() && std::all_of(flags.begin(), flags.end(), [](int f) { return f != 0; });
  }, 3s);
  INFO("connections seen: " << flags.size());
  CHECK(set);
  server.stop();
}

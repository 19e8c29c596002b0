#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "vctp/http/message.hpp"

namespace vctp::http {

/// The server could not start (bind, certificate) or was misused.
class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ServerOptions {
  std::string bind_ip = "127.0.0.1";
  int port = 0;  ///< 0 picks a free port (see Server::port())
  /// Threads doing network I/O (and one more that accepts connections).
  int io_threads = 2;
  /// Threads running handlers (which may block on the database or wait for an event).
  int handler_threads = 4;
  bool tls = true;
  std::filesystem::path tls_cert_file;
  std::filesystem::path tls_key_file;
  /// Connections open at once, reserved ones included; more are closed as soon as they are
  /// accepted. start() raises the process's open-file limit towards this when it is lower.
  std::size_t max_connections = 512;
  /// Of max_connections, how many are kept for probe_paths: once the other connections fill
  /// the rest, a new connection gets a reserved slot, serves one request on a probe path and
  /// closes (any other path gets 503). A reserved connection has at most 2 s to send its
  /// request, and when every reserved slot is taken, the oldest one still waiting for its
  /// request is closed to make room: a probe gets in while slow clients hold every other slot.
  std::size_t reserved_connections = 0;
  /// Request paths (without the query) of the health and readiness probes: they may use the
  /// reserved connections, and run on a handler thread of their own, so a probe is not queued
  /// behind slow handlers.
  std::vector<std::string> probe_paths;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  /// Time allowed to read one whole request (headers and body), from its first byte, or to
  /// finish the TLS handshake: a client trickling bytes is cut off when it runs out, with a 408
  /// when its headers had arrived. After an early error answer (400, 408, 413, 431) the rest of
  /// the request is read and thrown away for at most 2 s, then the connection is closed.
  std::chrono::milliseconds read_timeout{10000};
  /// Time a keep-alive connection may sit idle between two requests (before the first byte of
  /// the next one); the first request of a connection has read_timeout.
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};
  /// How long stop() waits for requests in progress.
  std::chrono::milliseconds stop_grace{5000};
  /// Name placed in the Server header.
  std::string server_name = "vctp";
};

/// Called for every request that was read completely; must not throw (a throw becomes a 500).
using RequestHandler = std::function<Response(Request&)>;

/// An asynchronous HTTP/1.1 server (HTTPS unless options.tls is false) with keep-alive,
/// size limits and read timeouts. Requests that break the limits are answered by the server
/// itself (400, 408, 413, 431) with a JSON error body, and never reach the handler.
class Server {
 public:
  Server(ServerOptions options, RequestHandler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds, listens and starts the threads. Throws ServerError (address in use, bad
  /// certificate, ...).
  void start();
  /// Stops accepting, lets requests in progress finish (up to stop_grace), closes every
  /// connection and joins the threads. Safe to call twice.
  void stop();
  /// The port listened on (after start()).
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// What ensure_certificate did.
enum class CertificateStatus { kExisting, kGenerated };

/// Makes sure a PEM certificate and key exist at the paths: when either is missing, generates a
/// self-signed certificate (EC P-256, valid 10 years) with the host name, "localhost",
/// 127.0.0.1 and the bind address (for a wildcard bind: every local IPv4 address) in its
/// subjectAltName, and writes the key with mode 0600. Throws ServerError when it cannot.
CertificateStatus ensure_certificate(const std::filesystem::path& cert_file,
                                     const std::filesystem::path& key_file,
                                     const std::string& bind_ip);

}  // namespace vctp::http

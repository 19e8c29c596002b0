#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

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
  /// Threads doing network I/O.
  int io_threads = 2;
  /// Threads running handlers (which may block on the database or wait for an event).
  int handler_threads = 4;
  bool tls = true;
  std::filesystem::path tls_cert_file;
  std::filesystem::path tls_key_file;
  /// Connections open at once; more are closed as soon as they are accepted.
  std::size_t max_connections = 512;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  /// Time allowed to read one whole request (headers and body) or finish the TLS handshake:
  /// a client trickling bytes is cut off when it runs out.
  std::chrono::milliseconds read_timeout{10000};
  /// Time an idle keep-alive connection is kept open waiting for its next request.
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

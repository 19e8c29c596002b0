#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace vctp::vsphere::detail {

/// The parts of an SDK URL the transport needs.
struct Endpoint {
  bool tls = true;
  std::string host;
  std::string port;
  std::string target;  ///< path (and query), e.g. "/sdk"
};

/// Parses https://host[:port]/path (or http://); a bare host gets https:// and /sdk.
/// Throws std::invalid_argument on a malformed URL.
Endpoint parse_endpoint(const std::string& url);

struct TransportOptions {
  bool insecure = false;
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{60'000};
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<std::string> set_cookies;
};

/// One keep-alive HTTP/1.1 connection (TLS or plain) to one endpoint, over Boost.Beast.
/// Reconnects when the server closed it. Throws TransportError, TimeoutError or TlsError.
class HttpTransport {
 public:
  HttpTransport(Endpoint endpoint, TransportOptions options);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  /// POSTs `body` and returns the whole answer, finishing before `deadline` or throwing.
  HttpResponse post(const std::string& body, const std::string& soap_action, const std::string& cookie,
                    std::chrono::steady_clock::time_point deadline);

  /// Closes the connection (the next post opens a new one).
  void close();
  bool connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vctp::vsphere::detail

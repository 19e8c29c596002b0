#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "vctp/store/database.hpp"

namespace vctp::test {

/// A fresh database of one backend: a SQLite file in a temporary directory, or a new database
/// on the `postgres` fixture's server (dropped at the end).
class GatewayTestDatabase {
 public:
  explicit GatewayTestDatabase(const std::string& driver);
  ~GatewayTestDatabase();
  GatewayTestDatabase(const GatewayTestDatabase&) = delete;
  GatewayTestDatabase& operator=(const GatewayTestDatabase&) = delete;

  const std::string& driver() const { return driver_; }
  const std::string& url() const { return url_; }
  std::unique_ptr<store::Database> open() const;

 private:
  std::string driver_;
  std::string url_;
  std::string pg_database_;
  TempDir dir_;
};

/// What an HTTP call through curl returned.
struct HttpResult {
  int status = 0;  ///< 0 when curl could not connect
  std::string body;
  std::string headers;
};

/// One request through curl (-k: the gateway's certificate is self-signed). `body_file` sends a
/// file as the body; `raw_path` keeps the path as written (no ../ squashing).
HttpResult http_call(const std::string& method, const std::string& url, const std::string& body = {},
                     const std::vector<std::string>& headers = {}, bool raw_path = false,
                     const std::string& body_file = {});

/// The real vctp-gateway binary on port 0 (the port it bound read from its log) with its own settings, in `dir`; TLS on
/// unless `extra_settings` has `bind_disable_tls: true`.
class GatewayProcess {
 public:
  /// Starts it and waits until /api/health answers. `extra_settings` are YAML lines under
  /// `settings:` (indented by two spaces already).
  GatewayProcess(const TempDir& dir, const std::string& driver, const std::string& url,
                 const std::string& extra_settings = {});
  ~GatewayProcess();

  const std::string& base_url() const { return base_url_; }
  int port() const { return port_; }
  std::filesystem::path reports_dir() const { return dir_ / "reports"; }
  std::filesystem::path cert_file() const { return dir_ / "tls" / "gateway.crt"; }
  std::filesystem::path key_file() const { return dir_ / "tls" / "gateway.key"; }
  std::string log() const;
  /// SIGTERM; returns the exit status.
  std::optional<int> stop();
  bool running() { return child_ && child_->running(); }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  std::string base_url_;
  std::unique_ptr<ChildProcess> child_;
};

/// The token the tests use and its hash (for api_tokens).
inline const std::string kTestToken = "vctp-test-token-0123456789";
std::string test_token_hash();

/// A plain TCP connection to 127.0.0.1:port.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  /// Sends everything; false when the peer closed the connection.
  bool send(const std::string& data);
  /// Reads until the peer closes or `timeout` passes; returns what came and whether it closed.
  std::pair<std::string, bool> read_until_close(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

}  // namespace vctp::test

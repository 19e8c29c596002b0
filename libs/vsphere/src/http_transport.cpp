#include "http_transport.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "vctp/vsphere/errors.hpp"

namespace vctp::vsphere::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

Endpoint parse_endpoint(const std::string& url) {
  Endpoint ep;
  std::string rest = url;
  if (const auto p = rest.find("://"); p != std::string::npos) {
    std::string scheme = rest.substr(0, p);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
    if (scheme == "https") {
      ep.tls = true;
    } else if (scheme == "http") {
      ep.tls = false;
    } else {
      throw std::invalid_argument("vCenter URL '" + url + "': scheme must be https or http");
    }
    rest = rest.substr(p + 3);
  }
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  ep.target = slash == std::string::npos ? "/sdk" : rest.substr(slash);
  if (const auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) throw std::invalid_argument("vCenter URL '" + url + "': unclosed '['");
    ep.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') ep.port = authority.substr(close + 2);
  } else if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
    ep.host = authority.substr(0, colon);
    ep.port = authority.substr(colon + 1);
  } else {
    ep.host = authority;
  }
  if (ep.host.empty()) throw std::invalid_argument("vCenter URL '" + url + "' names no host");
  if (ep.port.empty()) ep.port = ep.tls ? "443" : "80";
  if (ep.port.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument("vCenter URL '" + url + "': bad port '" + ep.port + "'");
  }
  if (ep.target == "/") ep.target = "/sdk";
  return ep;
}

namespace {

/// A connection the server closed while idle: safe to send the request again on a new one.
struct StaleConnection {};

bool is_ip_address(const std::string& host) {
  error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

}  // namespace

struct HttpTransport::Impl {
  Endpoint ep;
  TransportOptions opt;
  net::io_context ioc;
  ssl::context ssl_ctx{ssl::context::tls_client};
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  bool open = false;

  Impl(Endpoint e, TransportOptions o) : ep(std::move(e)), opt(std::move(o)) {
    error_code ec;
    ssl_ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    // Only a vCenter whose certificate is verified needs the CAs: the system's bundle parsed is
    // most of a MiB per client, paid for every configured vCenter.
    if (!ep.tls || opt.insecure) return;
    ssl_ctx.set_default_verify_paths(ec);
    if (ec) throw TlsError("cannot load the system's trusted CAs: " + ec.message());
    if (!opt.ca_file.empty()) {
      ssl_ctx.load_verify_file(opt.ca_file, ec);
      if (ec) throw TlsError("cannot load CA file " + opt.ca_file + ": " + ec.message());
    }
  }

  beast::tcp_stream& lowest() { return secure ? secure->next_layer() : *plain; }

  std::string where() const { return ep.host + ":" + ep.port; }

  // Runs the asynchronous operation started by `start` to completion (its timeout is the
  // stream's expiry) and returns its error code.
  template <class Start>
  error_code run(Start&& start) {
    error_code result = net::error::would_block;
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  void close() {
    if (plain || secure) {
      error_code ignored;
      lowest().socket().close(ignored);
    }
    secure.reset();
    plain.reset();
    buffer.clear();
    open = false;
  }

  [[noreturn]] void fail(const error_code& ec, const std::string& what, std::chrono::milliseconds limit) {
    std::string message = what + " " + where();
    close();
    if (ec == beast::error::timeout || ec == net::error::timed_out) {
      throw TimeoutError(message + ": no answer within " + std::to_string(limit.count()) + " ms");
    }
    throw TransportError(message + ": " + ec.message());
  }

  void connect(Clock::time_point deadline) {
    close();
    const auto connect_limit = std::min(opt.connect_timeout, remaining(deadline));
    const auto connect_deadline = Clock::now() + connect_limit;

    tcp::resolver resolver(ioc);
    error_code ec = net::error::would_block;
    tcp::resolver::results_type results;
    resolver.async_resolve(ep.host, ep.port, [&](error_code e, tcp::resolver::results_type r) {
      ec = e;
      results = std::move(r);
    });
    ioc.restart();
    ioc.run_for(connect_limit);
    if (ec == net::error::would_block) {
      resolver.cancel();
      ioc.restart();
      ioc.run();
      throw TimeoutError("resolving " + ep.host + " took longer than " + std::to_string(connect_limit.count()) +
                         " ms");
    }
    if (ec) throw TransportError("cannot resolve " + ep.host + ": " + ec.message());

    if (ep.tls) {
      secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, ssl_ctx);
    } else {
      plain = std::make_unique<beast::tcp_stream>(ioc);
    }
    lowest().expires_after(remaining(connect_deadline));
    ec = run([&](auto handler) { lowest().async_connect(results, std::move(handler)); });
    if (ec) fail(ec, "cannot connect to", connect_limit);

    if (ep.tls) handshake(connect_deadline, connect_limit);
    open = true;
  }

  void handshake(Clock::time_point connect_deadline, std::chrono::milliseconds limit) {
    SSL* ssl_handle = secure->native_handle();
    const bool ip = is_ip_address(ep.host);
    if (!ip && SSL_set_tlsext_host_name(ssl_handle, ep.host.c_str()) != 1) {
      close();
      throw TlsError("cannot set the TLS server name " + ep.host);
    }
    if (opt.insecure) {
      secure->set_verify_mode(ssl::verify_none);
    } else {
      secure->set_verify_mode(ssl::verify_peer);
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
      const int rc = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, ep.host.c_str())
                        : X509_VERIFY_PARAM_set1_host(param, ep.host.c_str(), 0);
      if (rc != 1) {
        close();
        throw TlsError("cannot set the expected TLS host name " + ep.host);
      }
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    }
    lowest().expires_after(remaining(connect_deadline));
    const error_code ec = run([&](auto handler) { secure->async_handshake(ssl::stream_base::client, std::move(handler)); });
    if (!ec) return;
    if (ec == beast::error::timeout) fail(ec, "TLS handshake with", limit);
    std::string detail = ec.message();
    const long verify = SSL_get_verify_result(ssl_handle);
    if (verify != X509_V_OK) detail = X509_verify_cert_error_string(verify);
    close();
    throw TlsError("TLS with " + where() + " failed: " + detail +
                   (opt.insecure ? "" : " (trust its CA with a CA file, or set vcenter_insecure for a self-signed vCenter)"));
  }

  template <class Op>
  error_code io(Op&& op) {
    return secure ? op(*secure) : op(*plain);
  }

  HttpResponse exchange(const std::string& body, const std::string& action, const std::string& cookie,
                        Clock::time_point deadline, bool reused) {
    http::request<http::string_body> req{http::verb::post, ep.target, 11};
    const bool default_port = (ep.tls && ep.port == "443") || (!ep.tls && ep.port == "80");
    const std::string host_header = (ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host);
    req.set(http::field::host, default_port ? host_header : host_header + ":" + ep.port);
    req.set(http::field::user_agent, "vctp-collector");
    req.set(http::field::content_type, "text/xml; charset=utf-8");
    req.set("SOAPAction", action);
    if (!cookie.empty()) req.set(http::field::cookie, cookie);
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();

    auto limit = [&] { return std::min(opt.read_timeout, remaining(deadline)); };
    auto l = limit();
    lowest().expires_after(l);
    error_code ec = io([&](auto& stream) {
      return run([&](auto handler) { http::async_write(stream, req, std::move(handler)); });
    });
    if (ec) {
      if (reused && ec != beast::error::timeout) throw StaleConnection{};
      fail(ec, "cannot send to", l);
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit((std::numeric_limits<std::uint64_t>::max)());
    std::size_t received = 0;
    bool reserved = false;
    while (!parser.is_done()) {
      l = limit();
      if (l.count() == 0) {
        close();
        throw TimeoutError("the call to " + where() + " did not finish within its time limit");
      }
      lowest().expires_after(l);
      std::size_t n = 0;
      ec = io([&](auto& stream) {
        error_code result = net::error::would_block;
        http::async_read_some(stream, buffer, parser, [&](error_code e, std::size_t bytes) {
          result = e;
          n = bytes;
        });
        ioc.restart();
        ioc.run();
        return result;
      });
      received += n;
      if (ec) {
        if (reused && received == 0 &&
            (ec == http::error::end_of_stream || ec == net::error::connection_reset || ec == net::error::eof ||
             ec == net::ssl::error::stream_truncated)) {
          throw StaleConnection{};
        }
        fail(ec, received == 0 ? "no answer from" : "the answer was cut off by", l);
      }
      if (!reserved && parser.is_header_done()) {
        reserved = true;
        if (const auto length = parser.content_length(); length && *length < (1ull << 32)) {
          parser.get().body().reserve(static_cast<std::size_t>(*length));
        }
      }
    }

    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      if (field.name() == http::field::set_cookie) out.set_cookies.emplace_back(field.value());
    }
    if (!res.keep_alive()) close();
    out.body = std::move(res.body());
    return out;
  }
};

HttpTransport::HttpTransport(Endpoint endpoint, TransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(endpoint), std::move(options))) {}

HttpTransport::~HttpTransport() { impl_->close(); }

void HttpTransport::close() { impl_->close(); }

bool HttpTransport::connected() const { return impl_->open; }

HttpResponse HttpTransport::post(const std::string& body, const std::string& soap_action, const std::string& cookie,
                                 Clock::time_point deadline) {
  for (int attempt = 0;; ++attempt) {
    const bool reused = impl_->open;
    if (!impl_->open) impl_->connect(deadline);
    try {
      return impl_->exchange(body, soap_action, cookie, deadline, reused);
    } catch (const StaleConnection&) {
      impl_->close();
      if (attempt > 0) throw TransportError("the connection to " + impl_->where() + " keeps closing");
    }
  }
}

}  // namespace vctp::vsphere::detail

// The only translation unit that includes Boost.Beast and Asio.
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "vctp/core/logging.hpp"
#include "vctp/http/error.hpp"
#include "vctp/http/server.hpp"

namespace vctp::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

/// Bytes read and thrown away after an early error response, so that the client, still
/// sending its body, reads our answer instead of a connection reset.
constexpr std::size_t kMaxDrainBytes = 64 * 1024 * 1024;

class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  virtual void start() = 0;
  /// Closes the connection unless a request is being handled (that one closes after its reply).
  virtual void shutdown() = 0;
};

struct ServerState {
  ServerState(ServerOptions o, RequestHandler h)
      : options(std::move(o)),
        handler(std::move(h)),
        ssl_ctx(ssl::context::tls_server),
        acceptor(asio::make_strand(ioc)),
        accept_retry(acceptor.get_executor()),
        handler_pool(static_cast<std::size_t>(std::max(1, options.handler_threads))) {}

  void register_session(const std::shared_ptr<SessionBase>& s) {
    std::lock_guard lock(mutex);
    sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                  [](const std::weak_ptr<SessionBase>& w) { return w.expired(); }),
                   sessions.end());
    sessions.push_back(s);
  }
  std::size_t live_sessions() {
    std::lock_guard lock(mutex);
    return static_cast<std::size_t>(std::count_if(
        sessions.begin(), sessions.end(), [](const std::weak_ptr<SessionBase>& w) { return !w.expired(); }));
  }

  ServerOptions options;
  RequestHandler handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  ssl::context ssl_ctx;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  asio::thread_pool handler_pool;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::vector<std::weak_ptr<SessionBase>> sessions;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  bool started = false;
  bool stopped = false;
  int port = 0;
};

template <typename Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

template <typename Stream>
class Session final : public SessionBase {
 public:
  Session(ServerState& server, tcp::socket&& socket)
      : server_(server), stream_(make_stream(server, std::move(socket))) {
    error_code ec;
    const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  void start() override {
    asio::dispatch(stream_.get_executor(), [self = shared()] {
      if constexpr (kIsTls<Stream>) {
        beast::get_lowest_layer(self->stream_).expires_after(self->server_.options.read_timeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](error_code ec) {
          if (ec) return self->close_now();
          self->read_header();
        });
      } else {
        self->read_header();
      }
    });
  }

  void shutdown() override {
    asio::post(stream_.get_executor(), [self = shared()] {
      if (!self->busy_) self->close_now();
    });
  }

 private:
  static Stream make_stream(ServerState& server, tcp::socket&& socket) {
    if constexpr (kIsTls<Stream>) {
      return Stream(std::move(socket), server.ssl_ctx);
    } else {
      return Stream(std::move(socket));
    }
  }

  std::shared_ptr<Session> shared() { return std::static_pointer_cast<Session>(shared_from_this()); }

  void read_header() {
    if (server_.stopping) return close_now();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    // One deadline for the whole request: trickling bytes does not extend it.
    beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    const auto length = parser_->content_length();
    if (length && *length > server_.options.max_body_bytes) {
      return reply_error(ErrorCode::kPayloadTooLarge, "the request body is larger than " +
                                                          std::to_string(server_.options.max_body_bytes) + " bytes");
    }
    const auto expect = req[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, req.version());
      bhttp::async_write(stream_, *cont, [self = shared(), cont](error_code wec, std::size_t) {
        if (wec) return self->close_now();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) return on_request();
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared()](error_code ec, std::size_t) {
      if (ec) return self->on_read_error(ec);
      self->on_request();
    });
  }

  void on_read_error(error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return reply_error(ErrorCode::kPayloadTooLarge, "the request body is too large");
    }
    if (ec == bhttp::error::header_limit) {
      return reply_error(ErrorCode::kHeadersTooLarge, "the request headers are too large");
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message) {
      return reply_error(ErrorCode::kBadRequest, "malformed HTTP request");
    }
    // Timeout (the stream is closed already), end of stream, reset: nothing to answer.
    close_now();
  }

  void on_request() {
    auto& msg = parser_->get();
    Request request;
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    const auto q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos) request.query = parse_query(std::string_view(request.target).substr(q + 1));
    for (const auto& field : msg) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      request.headers.emplace(std::move(name), std::string(field.value()));
    }
    request.body = std::move(msg.body());
    request.remote_address = remote_;
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == bhttp::verb::head;

    busy_ = true;
    ++server_.in_flight;
    asio::post(server_.handler_pool, [self = shared(), request = std::move(request)]() mutable {
      Response response;
      try {
        response = self->server_.handler(request);
      } catch (const std::exception& e) {
        core::log_error("request handler failed", {{"path", request.path}, {"error", e.what()}});
        response = error_response(ErrorCode::kInternal, "internal error");
      }
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        --self->server_.in_flight;
        self->busy_ = false;
        self->write(std::move(response), self->keep_alive_ && !self->server_.stopping);
      });
    });
  }

  void reply_error(ErrorCode code, const std::string& detail) {
    Response r = error_response(code, detail);
    drain_after_write_ = true;
    write(std::move(r), false);
  }

  void write(Response response, bool keep_alive) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->result(static_cast<unsigned>(response.status));
    res->version(version_);
    res->set(bhttp::field::server, server_.options.server_name);
    for (const auto& [name, value] : response.headers) res->set(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    if (head_) res->body().clear();
    beast::get_lowest_layer(stream_).expires_after(server_.options.write_timeout);
    bhttp::async_write(stream_, *res, [self = shared(), res, keep_alive](error_code ec, std::size_t) {
      if (ec) return self->close_now();
      if (self->drain_after_write_) return self->drain();
      if (!keep_alive) return self->close_gracefully();
      self->read_header();
    });
  }

  void drain() {
    beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
    stream_.async_read_some(asio::buffer(drain_buf_), [self = shared()](error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kMaxDrainBytes) return self->close_now();
      self->drain();
    });
  }

  void close_gracefully() {
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = shared()](error_code) { self->close_now(); });
    } else {
      error_code ec;
      beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
      close_now();
    }
  }

  void close_now() {
    error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
  }

  ServerState& server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool busy_ = false;
  bool keep_alive_ = false;
  bool head_ = false;
  bool drain_after_write_ = false;
  unsigned version_ = 11;
  std::array<char, 16384> drain_buf_{};
  std::size_t drained_ = 0;
};

void accept(ServerState& state) {
  state.acceptor.async_accept(asio::make_strand(state.ioc), [&state](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !state.acceptor.is_open() || state.stopping) return;
    if (ec) {
      // Out of file descriptors and the like: pause instead of spinning on the error.
      core::log_warn("accept failed; retrying shortly", {{"error", ec.message()}});
      state.accept_retry.expires_after(std::chrono::milliseconds(200));
      state.accept_retry.async_wait([&state](error_code wec) {
        if (!wec && !state.stopping) accept(state);
      });
      return;
    }
    if (state.live_sessions() >= state.options.max_connections) {
      error_code ignored;
      socket.close(ignored);
    } else {
      std::shared_ptr<SessionBase> session;
      if (state.options.tls) {
        session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(state, std::move(socket));
      } else {
        session = std::make_shared<Session<beast::tcp_stream>>(state, std::move(socket));
      }
      state.register_session(session);
      session->start();
    }
    accept(state);
  });
}

}  // namespace

struct Server::Impl : ServerState {
  using ServerState::ServerState;
};

Server::Server(ServerOptions options, RequestHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { stop(); }

void Server::start() {
  auto& o = impl_->options;
  if (impl_->started) throw ServerError("server already started");
  if (o.tls) {
    try {
      impl_->ssl_ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                 ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                                 ssl::context::single_dh_use);
      impl_->ssl_ctx.use_certificate_chain_file(o.tls_cert_file.string());
      impl_->ssl_ctx.use_private_key_file(o.tls_key_file.string(), ssl::context::pem);
    } catch (const boost::system::system_error& e) {
      throw ServerError("cannot load the TLS certificate " + o.tls_cert_file.string() + " / key " +
                        o.tls_key_file.string() + ": " + e.code().message());
    }
  }
  error_code ec;
  const auto address = asio::ip::make_address(o.bind_ip, ec);
  if (ec) throw ServerError("invalid bind address '" + o.bind_ip + "'");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(o.port));
  auto& acc = impl_->acceptor;
  if (acc.open(endpoint.protocol(), ec); ec) throw ServerError("cannot open a socket: " + ec.message());
  if (acc.set_option(asio::socket_base::reuse_address(true), ec); ec) {
    throw ServerError("cannot set SO_REUSEADDR: " + ec.message());
  }
  if (acc.bind(endpoint, ec); ec) {
    throw ServerError("cannot listen on " + o.bind_ip + ":" + std::to_string(o.port) + ": " + ec.message());
  }
  if (acc.listen(asio::socket_base::max_listen_connections, ec); ec) {
    throw ServerError("cannot listen: " + ec.message());
  }
  impl_->port = acc.local_endpoint().port();
  impl_->started = true;
  impl_->work.emplace(asio::make_work_guard(impl_->ioc));
  asio::dispatch(acc.get_executor(), [impl = impl_.get()] { accept(*impl); });
  for (int i = 0; i < std::max(1, o.io_threads); ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] {
      for (;;) {
        try {
          impl->ioc.run();
          return;
        } catch (const std::exception& e) {
          core::log_error("HTTP I/O thread error", {{"error", e.what()}});
        }
      }
    });
  }
}

void Server::stop() {
  if (!impl_ || !impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping = true;
  asio::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    error_code ec;
    impl->acceptor.close(ec);
    impl->accept_retry.cancel();
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& w : impl_->sessions) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->shutdown();
  live.clear();
  const auto deadline = std::chrono::steady_clock::now() + impl_->options.stop_grace;
  while (std::chrono::steady_clock::now() < deadline &&
         (impl_->in_flight > 0 || impl_->live_sessions() > 0)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->handler_pool.join();
}

int Server::port() const { return impl_->port; }

}  // namespace vctp::http

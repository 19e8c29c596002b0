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
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/resource.h>
#include <unistd.h>

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
/// One deadline for that whole drain: a client trickling its body does not extend it.
constexpr std::chrono::milliseconds kDrainTimeout{2000};
/// Time a connection on a reserved slot has to send its request (a probe sends it at once).
constexpr std::chrono::milliseconds kReservedReadTimeout{2000};
/// File descriptors the process needs besides its connections (database, NATS, logs, files).
constexpr rlim_t kSpareFiles = 128;

class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  explicit SessionBase(bool reserved) : reserved_(reserved) {}
  virtual ~SessionBase() = default;
  virtual void start() = 0;
  /// Closes the connection unless a request is being handled (that one closes after its reply).
  virtual void shutdown() = 0;

  /// Whether it holds one of the reserved (probe) slots.
  bool reserved() const { return reserved_; }
  bool evicted() const { return state_ == kEvicted; }
  /// Closes a reserved session that is still waiting for its request, to give its slot to a
  /// new connection; false when it has its request already.
  bool try_evict() {
    int expected = kWaiting;
    if (!state_.compare_exchange_strong(expected, kEvicted)) return false;
    shutdown();
    return true;
  }

 protected:
  /// Claims the slot for the request just read; false when the session was evicted.
  bool claim_slot() {
    int expected = kWaiting;
    return state_.compare_exchange_strong(expected, kServing) || expected == kServing;
  }

 private:
  static constexpr int kWaiting = 0;
  static constexpr int kServing = 1;
  static constexpr int kEvicted = 2;
  const bool reserved_;
  std::atomic<int> state_{kWaiting};
};

/// Which slot a new connection gets.
enum class Slot { kOrdinary, kReserved, kNone };

struct ServerState {
  ServerState(ServerOptions o, RequestHandler h)
      : options(std::move(o)),
        handler(std::move(h)),
        ssl_ctx(ssl::context::tls_server),
        acceptor(accept_ioc),
        accept_retry(acceptor.get_executor()),
        handler_pool(static_cast<std::size_t>(std::max(1, options.handler_threads))) {
    if (!options.probe_paths.empty()) probe_pool = std::make_unique<asio::thread_pool>(1);
  }

  void register_session(const std::shared_ptr<SessionBase>& s) {
    std::lock_guard lock(mutex);
    sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                  [](const std::weak_ptr<SessionBase>& w) { return w.expired(); }),
                   sessions.end());
    sessions.push_back(s);
  }
  /// The slot for a new connection: an ordinary one while fewer than max_connections -
  /// reserved_connections are open, else a free reserved one, else the reserved slot of the
  /// oldest reserved session still waiting for its request (closed), else none.
  Slot take_slot() {
    std::lock_guard lock(mutex);
    std::size_t ordinary = 0;
    std::size_t reserved = 0;
    for (const auto& w : sessions) {
      const auto s = w.lock();
      if (!s || s->evicted()) continue;
      ++(s->reserved() ? reserved : ordinary);
    }
    if (ordinary < options.max_connections - options.reserved_connections) return Slot::kOrdinary;
    if (options.reserved_connections == 0) return Slot::kNone;
    if (reserved < options.reserved_connections) return Slot::kReserved;
    for (const auto& w : sessions) {  // oldest first
      const auto s = w.lock();
      if (s && s->reserved() && s->try_evict()) return Slot::kReserved;
    }
    return Slot::kNone;
  }
  bool is_probe(const std::string& path) const {
    return std::find(options.probe_paths.begin(), options.probe_paths.end(), path) != options.probe_paths.end();
  }
  std::size_t live_sessions() {
    std::lock_guard lock(mutex);
    return static_cast<std::size_t>(std::count_if(
        sessions.begin(), sessions.end(), [](const std::weak_ptr<SessionBase>& w) { return !w.expired(); }));
  }

  ServerOptions options;
  RequestHandler handler;
  asio::io_context ioc;
  /// The acceptor's own thread, and the reserved connections': a new connection (a probe's,
  /// say) is taken at once, not after the handlers queued on the busy I/O threads.
  asio::io_context accept_ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> accept_work;
  ssl::context ssl_ctx;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  asio::thread_pool handler_pool;
  /// Runs the requests on probe_paths, when there are any.
  std::unique_ptr<asio::thread_pool> probe_pool;
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
  Session(ServerState& server, tcp::socket&& socket, bool reserved)
      : SessionBase(reserved),
        server_(server),
        stream_(make_stream(server, std::move(socket))),
        request_timer_(stream_.get_executor()) {
    error_code ec;
    const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  void start() override {
    asio::dispatch(stream_.get_executor(), [self = shared()] {
      if constexpr (kIsTls<Stream>) {
        beast::get_lowest_layer(self->stream_).expires_after(self->request_timeout());
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

  std::chrono::milliseconds request_timeout() const {
    return reserved() ? std::min(server_.options.read_timeout, kReservedReadTimeout) : server_.options.read_timeout;
  }

  void read_header() {
    if (server_.stopping) return close_now();
    if (served_ > 0 && buffer_.size() == 0) return wait_for_next_request();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    // One deadline for the whole request: trickling bytes does not extend it.
    start_request_timer();
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  /// Between keep-alive requests: waits up to idle_timeout for the first byte of the next one.
  void wait_for_next_request() {
    beast::get_lowest_layer(stream_).expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared()](error_code ec, std::size_t n) {
      if (ec) return self->close_now();
      self->buffer_.commit(n);
      self->read_header();
    });
  }

  /// The request's deadline. Not the stream's own timeout, which closes the socket: on expiry
  /// the reads are cancelled, so that a stalled body can still be answered with a 408.
  void start_request_timer() {
    beast::get_lowest_layer(stream_).expires_never();
    request_timed_out_ = false;
    arm_request_timer(++request_generation_, request_timeout());
  }

  void arm_request_timer(unsigned generation, std::chrono::milliseconds after) {
    request_timer_.expires_after(after);
    request_timer_.async_wait([self = shared(), generation](error_code ec) {
      if (ec || generation != self->request_generation_) return;
      self->request_timed_out_ = true;
      beast::get_lowest_layer(self->stream_).cancel();
      // A read that had just completed starts the next one after this cancel: cancel again
      // until the read's handler has seen the timeout.
      self->arm_request_timer(generation, std::chrono::milliseconds(50));
    });
  }

  void stop_request_timer() {
    ++request_generation_;
    request_timer_.cancel();
  }

  void on_header(error_code ec) {
    if (ec) return on_read_error(ec);
    if (reserved() && !claim_slot()) return close_now();
    const auto& req = parser_->get();
    if (reserved() && !server_.is_probe(std::string(req.target().substr(0, req.target().find('?'))))) {
      return reply_error(ErrorCode::kUnavailable,
                         "the server is at its connection limit; try again later");
    }
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
    const bool timed_out = request_timed_out_;
    stop_request_timer();
    if (timed_out) {
      if (!parser_->is_header_done()) return close_now();  // a trickled request line or headers
      return reply_error(ErrorCode::kRequestTimeout,
                         "the request body did not arrive within " +
                             std::to_string(server_.options.read_timeout.count()) + " ms");
    }
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
    // End of stream, reset: nothing to answer.
    close_now();
  }

  void on_request() {
    stop_request_timer();
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
    // A reserved slot serves one probe and is given back.
    keep_alive_ = msg.keep_alive() && !reserved();
    version_ = msg.version();
    head_ = msg.method() == bhttp::verb::head;
    ++served_;
    handle(std::move(request));
  }

  void handle(Request request) {
    busy_ = true;
    ++server_.in_flight;
    auto& pool = server_.probe_pool && server_.is_probe(request.path) ? *server_.probe_pool : server_.handler_pool;
    asio::post(pool, [self = shared(), request = std::move(request)]() mutable {
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
    stop_request_timer();
    Response r = error_response(code, detail);
    drain_after_write_ = true;
    write(std::move(r), false);
  }

  void write(Response response, bool keep_alive) {
    if (response.shared_body) {
      auto body = std::move(response.shared_body);
      auto res = std::make_shared<bhttp::response<bhttp::span_body<const char>>>();
      res->body() = beast::span<const char>(body->data(), body->size());
      send(std::move(res), std::move(response), keep_alive, std::move(body));
    } else {
      auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
      res->body() = std::move(response.body);
      send(std::move(res), std::move(response), keep_alive, nullptr);
    }
  }

  /// Writes `res` (its body set) with the status and headers of `response`; `hold` keeps a
  /// shared body alive until the write is done.
  template <typename Message>
  void send(std::shared_ptr<Message> res, const Response& response, bool keep_alive,
            std::shared_ptr<const std::string> hold) {
    res->result(static_cast<unsigned>(response.status));
    res->version(version_);
    res->set(bhttp::field::server, server_.options.server_name);
    for (const auto& [name, value] : response.headers) res->set(name, value);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    if (head_) res->body() = {};
    beast::get_lowest_layer(stream_).expires_after(server_.options.write_timeout);
    auto& message = *res;
    bhttp::async_write(stream_, message,
                       [self = shared(), res = std::move(res), hold = std::move(hold), keep_alive](error_code ec,
                                                                                                   std::size_t) {
                         if (ec) return self->close_now();
                         if (self->drain_after_write_) return self->drain();
                         if (!keep_alive) return self->close_gracefully();
                         self->read_header();
                       });
  }

  /// Reads and throws away what the client still sends after an early error answer, so that it
  /// reads the answer instead of a reset, until it closes, kMaxDrainBytes or kDrainTimeout.
  void drain() {
    if (!drain_deadline_) drain_deadline_ = std::chrono::steady_clock::now() + kDrainTimeout;
    beast::get_lowest_layer(stream_).expires_at(*drain_deadline_);
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
    stop_request_timer();
    error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
  }

  ServerState& server_;
  Stream stream_;
  asio::steady_timer request_timer_;
  unsigned request_generation_ = 0;
  bool request_timed_out_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool busy_ = false;
  bool keep_alive_ = false;
  bool head_ = false;
  bool drain_after_write_ = false;
  unsigned version_ = 11;
  std::size_t served_ = 0;
  std::array<char, 16384> drain_buf_{};
  std::size_t drained_ = 0;
  std::optional<std::chrono::steady_clock::time_point> drain_deadline_;
};

/// A reserved connection stays on the accept thread, which has little else to do, so that a
/// probe's request is read at once, before a flood of new connections could evict it; an
/// ordinary one moves to a strand of the I/O threads. Nullopt when the move fails.
std::optional<tcp::socket> place(ServerState& state, tcp::socket socket, Slot slot) {
  if (slot == Slot::kReserved) return std::optional<tcp::socket>(std::move(socket));
  error_code ec;
  const auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return std::nullopt;
  const auto fd = socket.release(ec);
  if (ec) return std::nullopt;
  tcp::socket moved(asio::make_strand(state.ioc));
  moved.assign(protocol, fd, ec);
  if (ec) {
    ::close(fd);
    return std::nullopt;
  }
  return std::optional<tcp::socket>(std::move(moved));
}

void accept(ServerState& state) {
  state.acceptor.async_accept(state.accept_ioc, [&state](error_code ec, tcp::socket accepted) {
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
    const auto slot = state.take_slot();
    auto socket = slot == Slot::kNone ? std::nullopt : place(state, std::move(accepted), slot);
    if (!socket) {
      error_code ignored;
      accepted.close(ignored);
    } else {
      // Without it an answer written in two parts (headers and body, or TLS records) waits for
      // the client's delayed ACK of the first: Nagle's algorithm, about 40 ms a response.
      error_code nodelay_ec;
      socket->set_option(tcp::no_delay(true), nodelay_ec);
      if (nodelay_ec) core::log_warn("cannot set TCP_NODELAY", {{"error", nodelay_ec.message()}});
      const bool reserved = slot == Slot::kReserved;
      std::shared_ptr<SessionBase> session;
      if (state.options.tls) {
        session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(state, std::move(*socket), reserved);
      } else {
        session = std::make_shared<Session<beast::tcp_stream>>(state, std::move(*socket), reserved);
      }
      state.register_session(session);
      session->start();
    }
    accept(state);
  });
}

/// Raises the soft limit on open files (1024 under many init systems) towards what
/// `connections` need, up to the hard limit; warns when even that is too low, since accepting
/// then fails with EMFILE before max_connections is reached.
void raise_open_file_limit(std::size_t connections) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t needed = static_cast<rlim_t>(connections) + kSpareFiles;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(needed, limit.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    core::log_warn("the open-file limit is lower than max_connections needs; raise it (ulimit -n, LimitNOFILE=)",
                   {{"limit", std::to_string(limit.rlim_cur)}, {"needed", std::to_string(needed)}});
  }
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
  if (o.max_connections == 0 || o.reserved_connections >= o.max_connections) {
    throw ServerError("reserved_connections (" + std::to_string(o.reserved_connections) +
                      ") must be lower than max_connections (" + std::to_string(o.max_connections) + ")");
  }
  if (o.reserved_connections > 0 && o.probe_paths.empty()) {
    throw ServerError("reserved_connections needs probe_paths: the paths the reserved connections may serve");
  }
  raise_open_file_limit(o.max_connections);
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
  impl_->accept_work.emplace(asio::make_work_guard(impl_->accept_ioc));
  asio::dispatch(acc.get_executor(), [impl = impl_.get()] { accept(*impl); });
  const auto run = [](asio::io_context& ioc) {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        core::log_error("HTTP I/O thread error", {{"error", e.what()}});
      }
    }
  };
  impl_->threads.emplace_back([impl = impl_.get(), run] { run(impl->accept_ioc); });
  for (int i = 0; i < std::max(1, o.io_threads); ++i) {
    impl_->threads.emplace_back([impl = impl_.get(), run] { run(impl->ioc); });
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
  impl_->accept_work.reset();
  impl_->ioc.stop();
  impl_->accept_ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->handler_pool.join();
  if (impl_->probe_pool) impl_->probe_pool->join();
}

int Server::port() const { return impl_->port; }

}  // namespace vctp::http

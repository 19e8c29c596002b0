#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vctp::test {

/// A SOAP request as the fake vCenter received it.
struct FakeRequest {
  std::string method;  ///< first element in the SOAP Body, e.g. "Login"
  std::string body;
  std::string cookie;  ///< the Cookie header
  std::string soap_action;
  int connection = 0;  ///< which TCP connection (1, 2, ...) carried it
};

/// What the fake vCenter answers.
struct FakeResponse {
  int status = 200;
  std::string body;
  std::string set_cookie;      ///< a Set-Cookie header value, when not empty
  bool close = false;          ///< send Connection: close and close after answering
  bool drop = false;           ///< close the connection without answering
  std::size_t truncate_at = 0; ///< when > 0, send only this many body bytes, then close
  int trickle_ms = 0;          ///< when > 0, send the body 16 bytes at a time, this long apart
};

/// A tiny HTTP/1.1 server on 127.0.0.1 (free port) that answers SOAP requests with recorded
/// responses chosen by a handler, and remembers every request.
class FakeVcenter {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;
  explicit FakeVcenter(Handler handler);
  ~FakeVcenter();
  FakeVcenter(const FakeVcenter&) = delete;
  FakeVcenter& operator=(const FakeVcenter&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/sdk"; }
  std::vector<FakeRequest> requests() const;
  /// How many requests named `method` arrived.
  int count(const std::string& method) const;
  int connections() const { return connections_.load(); }

 private:
  void serve();
  void serve_connection(int fd, int number);
  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::vector<FakeRequest> requests_;
  std::vector<std::thread> workers_;
  std::thread thread_;
};

/// A recorded response from tests/unit/vsphere/data.
std::string recorded(const std::string& name);

/// An empty "<Method>Response" envelope (DestroyView, Logout, ...).
std::string empty_response(const std::string& method);

/// A handler that answers the usual calls from recorded files: RetrieveServiceContent, Login
/// (with a session cookie), CreateContainerView, DestroyView, Logout, ...; other methods get
/// an empty response. Tests wrap it to override single calls.
FakeResponse default_answer(const FakeRequest& request);

}  // namespace vctp::test

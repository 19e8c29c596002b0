#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "test_support.hpp"

namespace vctp::bus::test {

/// A nats-server with JetStream of a test's own, on a free port with its store in a temporary
/// directory; it can be stopped (gracefully or killed) and started again on the same port and
/// store, as a server restart in production would.
class NatsServer {
 public:
  /// `port` 0 picks a free one.
  explicit NatsServer(std::vector<std::string> extra_args = {}, int port = 0);
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  void start();
  /// SIGKILL when `kill`, else SIGTERM; waits until the process is gone.
  void stop(bool kill = false);
  void restart(bool kill = false) {
    stop(kill);
    start();
  }

  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  vctp::test::TempDir dir_;
  std::vector<std::string> extra_args_;
  int port_;
  pid_t pid_ = -1;
  int starts_ = 0;
};

}  // namespace vctp::bus::test

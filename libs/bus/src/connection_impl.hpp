#pragma once

#include <nats/nats.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "nats_handles.hpp"
#include "vctp/bus/connection.hpp"
#include "vctp/metrics/registry.hpp"

namespace vctp::bus {

/// The connection's state, shared by its parts (life, JetStream administration, publishing,
/// subscriptions) and the consumer loop, which needs the raw JetStream context.
struct Connection::Impl {
  Impl(metrics::Registry& registry, ConnectionOptions opts);
  ~Impl();

  ConnectionOptions options;
  metrics::Registry& metrics;
  std::vector<std::string> masked_urls;
  detail::ConnectionPtr nc{nullptr, &natsConnection_Destroy};
  detail::JetStreamPtr js{nullptr, &jsCtx_Destroy};

  metrics::Counter reconnects;
  metrics::Counter disconnects;
  metrics::Gauge connected_gauge;
  metrics::Counter publish_retries;
  metrics::Counter publish_failures;

  std::mutex mutex;
  std::condition_variable closed_cv;
  /// The stream last ensured, set up again when it has disappeared (a server that lost its store).
  std::optional<StreamConfig> ensured_stream;
  bool closed = false;
  bool drained = false;

  void drain();
};

}  // namespace vctp::bus

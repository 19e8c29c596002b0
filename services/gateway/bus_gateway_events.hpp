#pragma once

#include <memory>

#include "gateway_data.hpp"
#include "vctp/bus/connection.hpp"
#include "request_tracker.hpp"

namespace vctp::bus {
class Connection;
}

namespace vctp::gateway {

/// GatewayEvents over NATS: publishes requests to JetStream and follows every
/// vctp.aggregate.completed (a core subscription: each gateway replica sees all of them) into
/// the request tracker.
class BusGatewayEvents final : public GatewayEvents {
 public:
  /// `stream`: the suite's stream, created as configured when a publish finds it missing.
  BusGatewayEvents(bus::Connection& connection, RequestTracker& tracker, bus::StreamConfig stream);
  ~BusGatewayEvents() override;

  bool connected() override;
  /// Connected, and JetStream holds the suite's stream (created here when it is missing).
  void check_ready() override;
  void request_aggregate(const std::string& kind, const std::string& period,
                         const std::string& request_id) override;
  std::string request_snapshot(const std::optional<std::string>& vcenter) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vctp::gateway

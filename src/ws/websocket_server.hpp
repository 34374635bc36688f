#pragma once

#include "app/config.hpp"
#include "http/upgrade.hpp"
#include "obs/metrics.hpp"
#include "ws/hub.hpp"
#include "ws/stomp_session.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace modu::ws {

template <class Connection>
class ThreadConnections;

/// STOMP over WebSocket: takes the connections that upgrade at `/ws`, speaks the
/// WebSocket protocol (Beast) with the `v12.stomp`/`v11.stomp` subprotocols, and runs a
/// StompSession on each. Outbound frames wait in a bounded queue per connection and are
/// written together, paced per I/O thread (`ws.flushIntervalMs`); a connection whose
/// queue overflows is sent an ERROR and closed, so a slow client never holds anyone else up.
/// @par Thread safety
/// See UpgradeHandler; each connection lives on its own I/O thread.
class WebSocketServer final : public http::UpgradeHandler {
 public:
  /// Counts its connections in `metrics`' open connections, which a drain waits for.
  WebSocketServer(const WsConfig& config, StompServices services, Hub& hub, obs::Metrics& metrics);
  ~WebSocketServer() override;

  void take(http::Socket socket, UpgradeRequest request) override;
  void drain() override;

 private:
  class Connection;

  const WsConfig& config_;
  StompSettings settings_;
  StompServices services_;
  Hub& hub_;
  obs::Metrics& metrics_;
  std::mutex mutex_;
  /// Every I/O thread that has held a connection, with its connections (for a drain).
  std::vector<std::pair<boost::asio::any_io_executor, ThreadConnections<Connection>*>> threads_;
  bool draining_ = false;
};

}  // namespace modu::ws

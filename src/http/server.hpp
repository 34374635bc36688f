#pragma once

#include "app/config.hpp"
#include "http/pipeline.hpp"
#include "obs/metrics.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace modu::http {

/// The HTTP/1.1 server: one I/O thread per core, each with its own event loop and its
/// own listening socket on the same port (SO_REUSEPORT), so a connection lives on one
/// thread from accept to close and needs no locks. Keep-alive, read and idle timeouts,
/// body and header limits; SIGTERM/SIGINT drain it: stop accepting, let in-flight
/// requests finish (up to the drain timeout), close idle connections, return.
class UpgradeHandler;

class Server {
 public:
  Server(const ServerConfig& config, const Pipeline& pipeline, obs::Metrics& metrics);
  ~Server();

  /// Hands connections that ask to upgrade at `path` (a WebSocket) to `handler`; the
  /// drain closes them through it. Before `listen`.
  void upgrade(std::string path, UpgradeHandler& handler);

  /// Binds the listening sockets; returns the port (the chosen one when configured as 0).
  std::uint16_t listen();

  /// Serves until drained. Blocks the calling thread.
  void run();

  /// Starts the graceful drain; may be called from any thread, more than once.
  void drain();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace modu::http

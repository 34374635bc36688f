#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace modu::bench {

/// The STOMP subprotocol the bench asks for (Modu and RabbitMQ's Web-STOMP both speak it).
inline constexpr std::string_view kStompSubprotocol = "v12.stomp";

/// A client WebSocket carrying STOMP text frames, in coroutines: Beast's handshake and
/// writes over a plain TCP socket, and reads of its own (see the .cpp). One read and one
/// write may be in flight at a time; the bench reads in one coroutine and writes from one
/// other. The server must not send before the client's first frame (STOMP's CONNECT).
/// @par Thread safety
/// Use it from the coroutines of one io_context (one thread) only.
class StompSocket {
 public:
  explicit StompSocket(boost::asio::any_io_executor executor);
  ~StompSocket();
  StompSocket(const StompSocket&) = delete;
  StompSocket& operator=(const StompSocket&) = delete;

  /// TCP connect, then the WebSocket handshake for `path` offering `v12.stomp`. `host`
  /// is the Host header. Fails with `asio::error::timed_out` after 30 s.
  boost::asio::awaitable<boost::system::error_code> open(boost::asio::ip::tcp::endpoint endpoint, std::string host,
                                                         std::string path);

  /// Sends one WebSocket text message (one or more whole STOMP frames).
  boost::asio::awaitable<boost::system::error_code> write(std::string_view frames);

  /// Waits for the next WebSocket message. The view stays valid until the next read.
  boost::asio::awaitable<std::pair<boost::system::error_code, std::string_view>> read();

  /// Closes the socket at once, without a closing handshake: pending reads and writes
  /// end with an error.
  void close();

  /// The subprotocol the server chose in the handshake ("" for none).
  const std::string& subprotocol() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace modu::bench

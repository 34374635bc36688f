#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace modu::http {

/// Takes over a connection whose request asks to become something else (a WebSocket at
/// `/ws`): from the answer to the upgrade to the close, the connection is the handler's,
/// and the HTTP session that read the request ends.
/// @par Thread safety
/// `take` is called on the connection's own I/O thread; `drain` from any thread.
class UpgradeHandler {
 public:
  using UpgradeRequest = boost::beast::http::request<boost::beast::http::string_body>;
  virtual ~UpgradeHandler() = default;

  /// Starts serving the upgraded connection on the socket's executor and returns.
  virtual void take(boost::asio::ip::tcp::socket socket, UpgradeRequest request) = 0;

  /// The server drains: close every upgraded connection (a WebSocket with 1001, going away).
  virtual void drain() = 0;
};

}  // namespace modu::http

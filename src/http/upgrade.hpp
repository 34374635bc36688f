#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace modu::http {

/// A connection's socket, bound to its I/O thread's event loop by type rather than through
/// the type-erased `any_io_executor`: each operation pending on it then carries no
/// polymorphic executor to track its work (an idle WebSocket's one wait is half the size),
/// and completing one calls no function through a pointer to find where it runs.
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

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
  virtual void take(Socket socket, UpgradeRequest request) = 0;

  /// The server drains: close every upgraded connection (a WebSocket with 1001, going away).
  virtual void drain() = 0;
};

}  // namespace modu::http

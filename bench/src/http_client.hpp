#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace modu::bench {

/// Where the server listens, resolved once for every connection.
struct Target {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host;  ///< the Host header: "host:port" as the URL gave it
};

/// Parses `http://host[:port][/]` and resolves the host; throws UsageError for anything
/// else (https, a path, a host that does not resolve).
Target resolve_target(const std::string& url);

enum class Method { get, post };

struct HttpReply {
  boost::system::error_code error;  ///< set when no response came (connect, write, read, timeout)
  int status = 0;
  std::string body;
};

/// One HTTP/1.1 keep-alive connection, one request at a time (Beast underneath). It
/// connects on first use, and again on the next request after the server closed it or a
/// request failed. A request with no complete response within the timeout fails with
/// `asio::error::timed_out`, so a stuck server cannot hang a run.
/// @par Thread safety
/// Use it from the coroutines of one io_context (one thread) only.
class HttpConnection {
 public:
  static constexpr std::chrono::seconds kDefaultTimeout{30};

  HttpConnection(boost::asio::any_io_executor executor, const Target& target,
                 std::chrono::seconds timeout = kDefaultTimeout);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  /// Sends one request and reads the whole response. `body` is JSON (POST only);
  /// `token`, when not empty, goes out as `Authorization: Bearer <token>`. Never throws
  /// for network errors: they come back in HttpReply::error.
  boost::asio::awaitable<HttpReply> request(Method method, std::string_view path, std::string body = {},
                                            std::string_view token = {});

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the connection's watchdog, which wakes after we are gone
};

}  // namespace modu::bench

#include "api/websocket_api.hpp"

#include "http/message.hpp"

#include <fmt/format.h>

namespace modu::api {

void add_websocket_routes(http::Router& router, const std::string& path) {
  router.add(
      http::Method::get, path, http::Access::open,
      [path](http::Request& request) -> boost::asio::awaitable<http::Reply> {
        auto response = http::error_response(
            {Errc::upgrade_required,
             fmt::format("{} speaks STOMP over WebSocket: send a WebSocket upgrade (subprotocol v12.stomp)", path)},
            request.request_id);
        // RFC 9110, 7.8: a 426 names the protocol to upgrade to, and Upgrade is hop-by-hop.
        response.set_header("Upgrade", "websocket");
        response.set_header("Connection", "Upgrade");
        co_return response;
      });
}

}  // namespace modu::api

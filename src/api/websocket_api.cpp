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
        response.set_header("Upgrade", "websocket");
        co_return response;
      });
}

}  // namespace modu::api

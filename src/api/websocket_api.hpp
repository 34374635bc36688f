#pragma once

#include "http/router.hpp"

#include <string>

namespace modu::api {

/// GET `path` (the STOMP endpoint, `/ws`) that does not ask to upgrade: 426 Upgrade
/// Required with `Upgrade: websocket`, so that a client that reaches it through a proxy
/// that dropped the upgrade headers learns why, instead of a 404 for a path that exists.
/// Upgrades never reach the router: the server hands them to the WebSocket side first.
void add_websocket_routes(http::Router& router, const std::string& path);

}  // namespace modu::api

#pragma once

#include "http/router.hpp"

namespace modu::api {

/// The web client, built into the binary: GET / (the page) and GET /assets/{name} (its
/// script and style sheet, and the @stomp/stompjs browser bundle it talks STOMP with).
void add_web_routes(http::Router& router);

}  // namespace modu::api

#pragma once

#include "core/worker_pool.hpp"
#include "domain/friend/friend_service.hpp"
#include "http/router.hpp"

namespace modu::api {

/// GET/POST /api/v1/friends; PATCH/DELETE /api/v1/friends/{memberId}.
void add_friend_routes(http::Router& router, friends::FriendService& friends, WorkerPool& workers);

}  // namespace modu::api

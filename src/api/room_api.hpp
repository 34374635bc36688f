#pragma once

#include "core/worker_pool.hpp"
#include "domain/chat/chat_service.hpp"
#include "domain/room/room_service.hpp"
#include "http/router.hpp"

namespace modu::api {

/// /api/v1/rooms: open, list, read, rename, invite, leave; and each room's messages:
/// send, history both ways, count, images, read marker.
void add_room_routes(http::Router& router, room::RoomService& rooms, chat::ChatService& chat, WorkerPool& workers);

}  // namespace modu::api

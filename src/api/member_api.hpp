#pragma once

#include "core/worker_pool.hpp"
#include "domain/member/member_service.hpp"
#include "domain/presence/presence_service.hpp"
#include "http/router.hpp"

namespace modu::api {

/// GET/PATCH /api/v1/members/me; GET /api/v1/members/{memberId}, its profile history, its
/// presence, and look-ups by email, nickname prefix or ids.
void add_member_routes(http::Router& router, member::MemberService& members, presence::PresenceService& presence,
                       WorkerPool& workers);

}  // namespace modu::api

#pragma once

#include "domain/auth/auth_service.hpp"
#include "domain/chat/chat_service.hpp"
#include "domain/friend/friend.hpp"
#include "domain/member/member.hpp"
#include "domain/presence/presence.hpp"
#include "domain/room/room_service.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>

/// How domain objects read as JSON on the wire (camelCase, ISO-8601 UTC times).
namespace modu::api {

/// `with_email`: only a member's own profile shows the address.
boost::json::object member_json(const member::Member& member, bool with_email);
boost::json::object profile_change_json(const member::ProfileChange& change);
boost::json::object friend_json(const friends::Friend& relation);
boost::json::object session_json(const auth::Session& session);
/// `storage`: where the object's strings and table live (a monotonic resource lets a
/// message that is serialized at once cost one allocation instead of a dozen).
boost::json::object message_json(const chat::Message& message, boost::json::storage_ptr storage = {});
/// A message with its `unreadMemberCount`: as a history page, a 201 and a live MESSAGE give it.
boost::json::object message_json(const chat::CountedMessage& counted, boost::json::storage_ptr storage = {});
/// A room member as `viewer` sees them: the `muted` flag only on the viewer's own entry.
boost::json::object membership_json(const room::Membership& membership, MemberId viewer);
boost::json::object room_json(const room::RoomDetail& detail, MemberId viewer);
boost::json::object room_summary_json(const room::RoomSummary& summary, MemberId viewer);
/// `{memberId, online, lastSeenAt}`: the same on REST and on the live queue.
boost::json::object presence_json(const presence::Presence& presence);

/// `{"items": [...], "nextCursor": "..." | null}`
boost::json::object list_json(boost::json::array items, const std::optional<std::string>& next_cursor);

}  // namespace modu::api

#include "api/views.hpp"

#include "core/time_format.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace modu::api {
namespace {

boost::json::value optional_text(const std::optional<std::string>& text, boost::json::storage_ptr storage = {}) {
  if (!text) return boost::json::value(nullptr, std::move(storage));
  return boost::json::string(*text, std::move(storage));
}

}  // namespace

boost::json::object member_json(const member::Member& member, bool with_email) {
  boost::json::object json{{"id", member.id.value()},
                           {"nickname", member.nickname},
                           {"statusMessage", member.status_message},
                           {"profileImage", optional_text(member.profile_image)},
                           {"backgroundImage", optional_text(member.background_image)},
                           {"createdAt", format_iso8601(member.created_at)}};
  if (with_email) json["email"] = member.email;
  return json;
}

boost::json::object profile_change_json(const member::ProfileChange& change) {
  return {{"id", change.id},
          {"kind", change.kind == member::ProfileChange::Kind::profile ? "profile" : "background"},
          {"image", optional_text(change.image)},
          {"changedAt", format_iso8601(change.at)}};
}

boost::json::object friend_json(const friends::Friend& relation) {
  return {{"memberId", relation.member.id.value()},
          {"nickname", relation.member.nickname},
          {"statusMessage", relation.member.status_message},
          {"profileImage", optional_text(relation.member.profile_image)},
          {"favorite", relation.favorite},
          {"hidden", relation.hidden},
          {"blocked", relation.blocked},
          {"since", format_iso8601(relation.since)}};
}

boost::json::object session_json(const auth::Session& session) {
  return {{"accessToken", session.access_token},
          {"refreshToken", session.refresh_token},
          {"tokenType", "Bearer"},
          {"expiresIn", session.expires_in.count()},
          {"member", member_json(session.member, true)}};
}

boost::json::object membership_json(const room::Membership& membership, MemberId viewer) {
  boost::json::object json{{"memberId", membership.member.value()},
                           {"nickname", membership.nickname},
                           {"profileImage", optional_text(membership.profile_image)},
                           {"role", membership.role == room::Role::owner ? "owner" : "member"},
                           {"joinedAt", format_iso8601(membership.joined_at)},
                           {"readSeq", membership.read_seq}};
  // Muting is nobody's business but mine: others would read it as "ignores us".
  if (membership.member == viewer) json.emplace("muted", membership.muted);
  return json;
}

namespace {

boost::json::array memberships_json(const std::vector<room::Membership>& members, MemberId viewer) {
  boost::json::array array;
  for (const auto& member : members) array.push_back(membership_json(member, viewer));
  return array;
}

std::string_view kind_name(room::Kind kind) { return kind == room::Kind::direct ? "direct" : "group"; }

}  // namespace

boost::json::object message_json(const chat::Message& message, boost::json::storage_ptr storage) {
  boost::json::object json(std::move(storage));
  json.reserve(9);
  json.emplace("id", message.id.value());
  json.emplace("roomId", message.room.value());
  json.emplace("seq", message.seq);
  json.emplace("senderId", message.sender ? boost::json::value(message.sender->value()) : nullptr);
  json.emplace("type", chat::type_name(message.type));
  json.emplace("body", message.body);
  json.emplace("clientMsgId", optional_text(message.client_msg_id, json.storage()));
  json.emplace("createdAt", format_iso8601(message.created_at));
  return json;
}

boost::json::object message_json(const chat::CountedMessage& counted, boost::json::storage_ptr storage) {
  auto json = message_json(counted.message, std::move(storage));
  json.emplace("unreadMemberCount", counted.unread_member_count);
  return json;
}

namespace {

/// A 1:1 room's other member, who may have left it (then `members` does not name them).
boost::json::value peer_json(const room::Room& room, MemberId viewer) {
  const auto peer = room.peer_of(viewer);
  return peer ? boost::json::value(peer->value()) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object room_json(const room::RoomDetail& detail, MemberId viewer) {
  const auto& room = detail.room;
  return {{"id", room.id.value()},
          {"type", kind_name(room.kind)},
          {"name", optional_text(room.name)},
          {"image", optional_text(room.image)},
          {"lastSeq", room.last_seq},
          {"lastActivityAt", format_iso8601(room.last_activity_at)},
          {"archived", room.archived},
          {"createdAt", format_iso8601(room.created_at)},
          {"peerId", peer_json(room, viewer)},
          {"members", memberships_json(detail.members, viewer)}};
}

boost::json::object room_summary_json(const room::RoomSummary& summary, MemberId viewer) {
  const auto& room = summary.room;
  return {{"id", room.id.value()},
          {"type", kind_name(room.kind)},
          {"name", optional_text(room.name)},
          {"image", optional_text(room.image)},
          {"lastActivityAt", format_iso8601(room.last_activity_at)},
          {"lastMessage", summary.last_message ? boost::json::value(message_json(*summary.last_message)) : nullptr},
          {"unreadCount", std::max<std::int64_t>(0, room.last_seq - summary.my_read_seq)},
          {"muted", summary.my_muted},
          {"memberCount", summary.member_count},
          {"peerId", peer_json(room, viewer)},
          {"members", memberships_json(summary.preview, viewer)}};
}

boost::json::object presence_json(const presence::Presence& presence) {
  boost::json::value last_seen = nullptr;
  if (presence.last_seen_at) last_seen = boost::json::string(format_iso8601(*presence.last_seen_at));
  return {{"memberId", presence.member.value()}, {"online", presence.online}, {"lastSeenAt", std::move(last_seen)}};
}

boost::json::object list_json(boost::json::array items, const std::optional<std::string>& next_cursor) {
  return {{"items", std::move(items)}, {"nextCursor", optional_text(next_cursor)}};
}

}  // namespace modu::api

#include "ws/live_events.hpp"

#include "api/views.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace modu::ws {
namespace {

bus::Channel room_channel(RoomId room) { return {bus::Channel::Kind::room, room.value()}; }
bus::Channel member_channel(MemberId member) { return {bus::Channel::Kind::member, member.value()}; }

}  // namespace

void LiveEvents::publish(bus::Channel channel, std::string type, const boost::json::object& body,
                         std::optional<MemberId> not_for) {
  std::optional<std::int64_t> skipped;
  if (not_for) skipped = not_for->value();
  bus_.publish({channel, std::move(type), std::make_shared<const std::string>(boost::json::serialize(body)), skipped});
}

void LiveEvents::publish_to_each(const std::vector<MemberId>& members, const std::string& type,
                                 const boost::json::object& body) {
  const auto bytes = std::make_shared<const std::string>(boost::json::serialize(body));
  for (const auto member : members) bus_.publish({member_channel(member), type, bytes});
}

void LiveEvents::message_stored(const chat::CountedMessage& stored) {
  boost::json::monotonic_resource scratch;  // freed at once: the bytes are serialized here
  publish(room_channel(stored.message.room), "message", api::message_json(stored, &scratch));
}

void LiveEvents::read_moved(RoomId room, MemberId member, std::int64_t read_seq, std::int64_t last_seq) {
  boost::json::object body{{"roomId", room.value()}, {"memberId", member.value()}, {"readSeq", read_seq}};
  publish(room_channel(room), "read", body);
  body["unreadCount"] = std::max<std::int64_t>(0, last_seq - read_seq);
  publish(member_channel(member), "read", body);
}

void LiveEvents::unread_changed(const chat::Message& last,
                                const std::vector<std::pair<MemberId, std::int64_t>>& read_positions) {
  boost::json::monotonic_resource scratch;
  boost::json::object body(&scratch);
  body["roomId"] = last.room.value();
  body["lastSeq"] = last.seq;
  // The read position the count was taken at: a `read` event that moved it further,
  // possibly from another device, may reach the client first.
  body["readSeq"] = 0;
  body["unreadCount"] = 0;
  body["lastMessage"] = api::message_json(last, &scratch);
  for (const auto& [member, read_seq] : read_positions) {
    body["readSeq"] = read_seq;
    body["unreadCount"] = std::max<std::int64_t>(0, last.seq - read_seq);
    publish(member_channel(member), "unread", body);
  }
}

void LiveEvents::typing(RoomId room, MemberId member) {
  publish(room_channel(room), "typing", {{"roomId", room.value()}, {"memberId", member.value()}}, member);
}

void LiveEvents::joined(RoomId room, MemberId member, MemberId by) {
  publish(member_channel(member), "joined", {{"roomId", room.value()}, {"by", by.value()}});
}

void LiveEvents::left(RoomId room, MemberId member) {
  // Also what ends the member's subscriptions to the room (see Hub).
  publish(member_channel(member), "left", {{"roomId", room.value()}, {"memberId", member.value()}});
}

void LiveEvents::room_changed(RoomId room, const std::vector<MemberId>& members) {
  publish_to_each(members, "roomChanged", {{"roomId", room.value()}});
}

void LiveEvents::friend_added(MemberId owner, MemberId added, bool added_hears) {
  std::vector<MemberId> told{owner};
  if (added_hears) told.push_back(added);
  publish_to_each(told, "friendAdded", {{"ownerId", owner.value()}, {"memberId", added.value()}});
}

void LiveEvents::session_revoked(MemberId member, const std::string& session_id) {
  publish(member_channel(member), "revoked", {{"sessionId", session_id}});
}

void LiveEvents::presence_changed(const presence::Presence& presence, const std::vector<MemberId>& watchers) {
  publish_to_each(watchers, "presence", api::presence_json(presence));
}

}  // namespace modu::ws

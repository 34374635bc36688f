#include "ws/live_events.hpp"

#include "api/views.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace modu::ws {
namespace {

bus::Channel room_channel(RoomId room) { return {bus::Channel::Kind::room, room.value()}; }

}  // namespace

void LiveEvents::publish(bus::Channel channel, std::string type, const boost::json::object& body) {
  bus_.publish({channel, std::move(type), std::make_shared<const std::string>(boost::json::serialize(body))});
}

void LiveEvents::message_stored(const chat::Message& message) {
  publish(room_channel(message.room), "message", api::message_json(message));
}

void LiveEvents::read_moved(RoomId room, MemberId member, std::int64_t read_seq, std::int64_t last_seq) {
  boost::json::object body{{"roomId", room.value()}, {"memberId", member.value()}, {"readSeq", read_seq}};
  publish(room_channel(room), "read", body);
  body["unreadCount"] = std::max<std::int64_t>(0, last_seq - read_seq);
  publish({bus::Channel::Kind::member, member.value()}, "read", body);
}

void LiveEvents::typing(RoomId room, MemberId member) {
  publish(room_channel(room), "typing", {{"roomId", room.value()}, {"memberId", member.value()}});
}

}  // namespace modu::ws

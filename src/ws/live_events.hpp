#pragma once

#include "bus/event_bus.hpp"
#include "domain/events/publisher.hpp"

#include <boost/json/object.hpp>

#include <optional>

namespace modu::ws {

/// The domain's events as the live world reads them: serialized once to the same JSON
/// as the REST API, then put on the bus.
class LiveEvents final : public events::Publisher {
 public:
  explicit LiveEvents(bus::EventBus& bus) : bus_(bus) {}

  void message_stored(const chat::CountedMessage& stored) override;
  void read_moved(RoomId room, MemberId member, std::int64_t read_seq, std::int64_t last_seq) override;
  void unread_changed(const chat::Message& last,
                      const std::vector<std::pair<MemberId, std::int64_t>>& read_positions) override;
  void typing(RoomId room, MemberId member) override;
  void joined(RoomId room, MemberId member, MemberId by) override;
  void left(RoomId room, MemberId member) override;
  void room_changed(RoomId room, const std::vector<MemberId>& members) override;
  void friend_added(MemberId owner, MemberId added, bool added_hears) override;
  void session_revoked(MemberId member, const std::string& session_id) override;
  void presence_changed(const presence::Presence& presence, const std::vector<MemberId>& watchers) override;

 private:
  /// `not_for`: a member none of whose connections hear it (see `bus::Event::not_for`).
  void publish(bus::Channel channel, std::string type, const boost::json::object& body,
               std::optional<MemberId> not_for = std::nullopt);
  /// The same event to each member's own queue, serialized once.
  void publish_to_each(const std::vector<MemberId>& members, const std::string& type, const boost::json::object& body);

  bus::EventBus& bus_;
};

}  // namespace modu::ws

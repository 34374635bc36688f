#pragma once

#include "domain/chat/message.hpp"

namespace modu::events {

/// What the domain tells the live world once a change is committed. The real-time layer
/// implements it and delivers to whoever is connected, on this instance or another.
/// Calls never block and never undo the change they report: a live view that missed an
/// event catches up from the database (`after=seq`).
/// @par Thread safety
/// Called from any thread.
class Publisher {
 public:
  virtual ~Publisher() = default;

  /// A message was stored: everyone watching its room sees it.
  virtual void message_stored(const chat::Message& message) = 0;
  /// A member's read position in a room is now `read_seq` (of `last_seq`): the room's
  /// watchers update each message's unread-member number, the member's other devices
  /// their unread count.
  virtual void read_moved(RoomId room, MemberId member, std::int64_t read_seq, std::int64_t last_seq) = 0;
  /// A member is typing in a room (not stored).
  virtual void typing(RoomId room, MemberId member) = 0;
};

/// For a process with nobody connected live (tools, tests of the REST API alone).
class NoPublisher final : public Publisher {
 public:
  void message_stored(const chat::Message&) override {}
  void read_moved(RoomId, MemberId, std::int64_t, std::int64_t) override {}
  void typing(RoomId, MemberId) override {}
};

}  // namespace modu::events

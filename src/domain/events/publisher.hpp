#pragma once

#include "domain/chat/message.hpp"
#include "domain/presence/presence.hpp"

#include <string>
#include <vector>

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

  /// A message was stored: everyone watching its room sees it, with its number of
  /// members who have not read it yet. Its sender's read position moved up to it, and no
  /// `read_moved` says so: the message itself does (one event where there would be two).
  virtual void message_stored(const chat::CountedMessage& stored) = 0;
  /// A member's read position in a room is now `read_seq` (of `last_seq`): the room's
  /// watchers update each message's unread-member number, the member's other devices
  /// their unread count.
  virtual void read_moved(RoomId room, MemberId member, std::int64_t read_seq, std::int64_t last_seq) = 0;
  /// `last` is the newest message of its room, whose members have read up to
  /// `read_positions` (member, read seq): each hears their unread count there (told a room
  /// at a time, at most once an interval: see room::UnreadNews).
  virtual void unread_changed(const chat::Message& last,
                              const std::vector<std::pair<MemberId, std::int64_t>>& read_positions) = 0;
  /// A member is typing in a room (not stored).
  virtual void typing(RoomId room, MemberId member) = 0;

  /// `member` is in `room` now: it was opened with them, they were invited (by `by`), or
  /// `by` wrote to the 1:1 room they had left.
  virtual void joined(RoomId room, MemberId member, MemberId by) = 0;
  /// `member` left `room`: their subscriptions to it end.
  virtual void left(RoomId room, MemberId member) = 0;
  /// A room's name or image changed; `members` are the ones to tell.
  virtual void room_changed(RoomId room, const std::vector<MemberId>& members) = 0;
  /// `owner` added `added` as a friend: the owner hears of it, and `added` too when
  /// `added_hears` (not when they blocked the owner).
  virtual void friend_added(MemberId owner, MemberId added, bool added_hears) = 0;
  /// A session ended (logout, or a stolen refresh token): its live connections close.
  virtual void session_revoked(MemberId member, const std::string& session_id) = 0;
  /// A member came online or went offline; `watchers` share a room with them.
  virtual void presence_changed(const presence::Presence& presence, const std::vector<MemberId>& watchers) = 0;
};

/// For a process with nobody connected live (tools, tests of the REST API alone), and a
/// base for a test's publisher that records only what it is about.
class NoPublisher : public Publisher {
 public:
  void message_stored(const chat::CountedMessage&) override {}
  void read_moved(RoomId, MemberId, std::int64_t, std::int64_t) override {}
  void unread_changed(const chat::Message&, const std::vector<std::pair<MemberId, std::int64_t>>&) override {}
  void typing(RoomId, MemberId) override {}
  void joined(RoomId, MemberId, MemberId) override {}
  void left(RoomId, MemberId) override {}
  void room_changed(RoomId, const std::vector<MemberId>&) override {}
  void friend_added(MemberId, MemberId, bool) override {}
  void session_revoked(MemberId, const std::string&) override {}
  void presence_changed(const presence::Presence&, const std::vector<MemberId>&) override {}
};

}  // namespace modu::events

#pragma once

#include "core/ids.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace modu::chat {

using TimePoint = std::chrono::system_clock::time_point;

enum class MessageType { text, image, file, system };

std::string_view type_name(MessageType type);
/// The type named `name`; none for a name that is not a type.
std::optional<MessageType> parse_type(std::string_view name);

/// A stored message. `seq` numbers a room's messages 1, 2, 3... with no gaps.
struct Message {
  MessageId id;
  RoomId room;
  std::int64_t seq = 0;
  std::optional<MemberId> sender;  ///< none for system messages
  MessageType type = MessageType::text;
  std::string body;
  std::optional<std::string> client_msg_id;
  TimePoint created_at;
};

/// A message with KakaoTalk's number beside it: how many members of the room, the sender
/// aside, have not read up to it yet.
struct CountedMessage {
  Message message;
  std::size_t unread_member_count = 0;
};

/// A message on its way in, its body already checked; who sends it is checked as it is
/// stored (see `MessageRepository::append_batch`).
struct NewMessage {
  RoomId room;
  std::optional<MemberId> sender;
  MessageType type = MessageType::text;
  std::string body;
  std::optional<std::string> client_msg_id;  ///< a retry with the same id returns the first message
  /// A system message's actor (who renamed the room, say): their own doing is no news
  /// to them, so their read position moves up to it, as a sender's does to their message
  /// (and what came before counts as read too: they acted in the room, as if writing).
  std::optional<MemberId> read_by;
  /// Stored only while this member is out of the room: a "left" that nothing undid in the
  /// meantime (a friend's message brings a 1:1 room's leaver back, an invite a group's).
  std::optional<MemberId> only_while_away;
};

}  // namespace modu::chat

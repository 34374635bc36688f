#pragma once

#include "core/page.hpp"
#include "domain/chat/group_commit.hpp"
#include "domain/friend/block_rule.hpp"
#include "domain/room/room_service.hpp"

namespace modu::chat {

/// Who may post to a room: its members, except where the other member of a 1:1 room
/// blocked them. Given to the GroupCommit, which applies it inside the storing transaction.
Result<void> sender_rule(const SenderStanding& standing);

/// Sending and reading messages. Only members do either; in a 1:1 room a member who was
/// blocked by the other cannot send.
/// @par Thread safety
/// Safe from any thread; `send` may be awaited from any executor.
class ChatService {
 public:
  ChatService(room::RoomService& rooms, room::RoomRepository& room_store, MessageRepository& messages,
              GroupCommit& commit, std::size_t max_text_length)
      : rooms_(rooms),
        room_store_(room_store),
        messages_(messages),
        commit_(commit),
        max_text_length_(max_text_length) {}

  /// Checks the message, then stores it in a shared transaction that checks the sender
  /// (`sender_rule`). Never blocks the caller's thread.
  boost::asio::awaitable<Result<CountedMessage>> send(MemberId me, RoomId room, MessageType type, std::string body,
                                                      std::optional<std::string> client_msg_id);

  /// Blocking: call from the worker pool. One page, ascending by seq; `next` is the seq
  /// to page on from (`before` it when paging back, `after` it when catching up), or
  /// none when nothing lies further that way.
  Result<Page<CountedMessage, std::int64_t>> history(MemberId me, RoomId room, std::optional<std::int64_t> before,
                                                     std::optional<std::int64_t> after, std::size_t size);
  /// Blocking. The room's images, newest last, before `before`; `next` as for history.
  Result<Page<Message, std::int64_t>> images(MemberId me, RoomId room, std::optional<std::int64_t> before,
                                             std::size_t size);
  /// Blocking. How many messages the room holds.
  Result<std::int64_t> count(MemberId me, RoomId room);
  /// Blocking. Whether the others are shown that I am typing: errors as for reading the
  /// room; false in a 1:1 room whose other member blocked me, who hears nothing of me.
  Result<bool> typing_shown(MemberId me, RoomId room);

 private:
  Result<void> check_message(MessageType type, const std::string& body,
                             const std::optional<std::string>& client_msg_id) const;

  room::RoomService& rooms_;
  room::RoomRepository& room_store_;
  MessageRepository& messages_;
  GroupCommit& commit_;
  std::size_t max_text_length_;
};

}  // namespace modu::chat

#pragma once

#include "core/errors.hpp"
#include "domain/chat/message.hpp"

#include <functional>
#include <vector>

namespace modu::chat {

/// Where a sender stands in a room, read by the storing transaction under the room's
/// lock: nobody can leave, be removed or block in between the check and the write.
struct SenderStanding {
  bool member = false;           ///< the sender is in the room
  bool blocked_by_peer = false;  ///< a 1:1 room whose other member blocked the sender
};

/// The domain's rule on who may post, applied to the standing the transaction read.
using Admission = std::function<Result<void>(const SenderStanding&)>;

/// One message of a batch, as the batch left it.
struct Appended {
  Message message;
  /// Its (room, sender, clientMsgId) was stored before, in the database or earlier in the
  /// batch: `message` is that first one, and nothing new was stored.
  bool repeat = false;
  /// The other member of a 1:1 room had left it; this message brought them back (as
  /// KakaoTalk does: leaving a 1:1 room hides it until the friend writes again).
  std::optional<MemberId> brought_back;
  /// How many members, the sender aside, have not read up to the message (a sender has
  /// read what they sent, and all before it): as the batch left the room, or for a repeat
  /// of a message stored before the batch, as it stands then.
  std::size_t unread_member_count = 0;
  /// Its sender's read position, or a system message's actor's (`NewMessage::read_by`),
  /// moved up to it: it is their newest of the batch, and they are still in the room.
  bool read_moved = false;
};

/// Messages as stored. Blocking: call from the worker pool.
class MessageRepository {
 public:
  virtual ~MessageRepository() = default;

  /// Stores a batch in one transaction. Each message gets its room's next seq (rooms are
  /// locked for the transaction, so concurrent writers, in this process or another,
  /// never share or skip a number); a message whose (room, sender, clientMsgId) is
  /// already stored, in the database or earlier in the batch, gets that first message
  /// back instead. A message with a sender is stored only if `admit` accepts the
  /// sender's standing, read in the same transaction; messages without one (system
  /// messages) are not asked about. One result per message, in order: NOT_FOUND for a
  /// room that is gone, CONFLICT for a message `only_while_away` whose member is back in
  /// the room, else the admission's error.
  virtual std::vector<Result<Appended>> append_batch(const std::vector<NewMessage>& messages, TimePoint at,
                                                     const Admission& admit) = 0;
  /// A member's standing in a room read on its own, for what is sent but not stored
  /// (typing), and so holds only as long as nothing changes.
  virtual SenderStanding standing(RoomId room, MemberId sender) = 0;

  /// Which page of a room's history: the newest, the ones before a seq (scrolling up),
  /// or the ones after a seq (catching up after a reconnect).
  struct PageQuery {
    RoomId room;
    std::optional<std::int64_t> before;
    std::optional<std::int64_t> after;
    std::size_t limit;
    bool images_only = false;  ///< the gallery
  };
  /// Up to `limit` messages, ascending by seq.
  virtual std::vector<Message> page(const PageQuery& query) = 0;
};

}  // namespace modu::chat

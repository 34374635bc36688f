#pragma once

#include "core/errors.hpp"
#include "domain/chat/message.hpp"

#include <vector>

namespace modu::chat {

/// Messages as stored. Blocking: call from the worker pool.
class MessageRepository {
 public:
  virtual ~MessageRepository() = default;

  /// Stores a batch in one transaction. Each message gets its room's next seq (rooms are
  /// locked for the transaction, so concurrent writers, in this process or another,
  /// never share or skip a number); a message whose (room, sender, clientMsgId) is
  /// already stored, in the database or earlier in the batch, gets that first message
  /// back instead. One result per message, in order: NOT_FOUND for a room that is gone.
  virtual std::vector<Result<Message>> append_batch(const std::vector<NewMessage>& messages, TimePoint at) = 0;
};

}  // namespace modu::chat

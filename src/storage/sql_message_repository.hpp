#pragma once

#include "domain/chat/message_repository.hpp"
#include "storage/database.hpp"

#include <memory>
#include <mutex>

namespace modu::storage {

/// @par Thread safety
/// Safe from any thread. Batches are stored one at a time, through a connection of the
/// repository's own whose statements are prepared once (re-made after a failure).
class SqlMessageRepository final : public chat::MessageRepository {
 public:
  explicit SqlMessageRepository(Database& database);
  ~SqlMessageRepository() override;

  std::vector<Result<chat::Appended>> append_batch(const std::vector<chat::NewMessage>& messages, chat::TimePoint at,
                                                   const chat::Admission& admit) override;
  chat::SenderStanding standing(RoomId room, MemberId sender) override;
  std::vector<chat::Message> page(const PageQuery& query) override;

 private:
  struct Writer;
  std::vector<Result<chat::Appended>> append_once(Writer& writer, const std::vector<chat::NewMessage>& messages,
                                                  chat::TimePoint at, const chat::Admission& admit);

  Database& database_;
  std::mutex writer_mutex_;
  std::unique_ptr<Writer> writer_;  ///< made on first use, and again after a failure
};

/// The message columns in the order `read_message` takes them (table alias m).
inline constexpr std::string_view kMessageColumns =
    "m.id, m.room_id, m.seq, m.sender_id, m.type, m.body, m.client_msg_id, m.created_at";
chat::Message read_message(class RowReader& row);

}  // namespace modu::storage

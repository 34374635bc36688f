#pragma once

#include "domain/chat/message_repository.hpp"
#include "storage/database.hpp"

namespace modu::storage {

class SqlMessageRepository final : public chat::MessageRepository {
 public:
  explicit SqlMessageRepository(Database& database) : database_(database) {}

  std::vector<Result<chat::Message>> append_batch(const std::vector<chat::NewMessage>& messages,
                                                  chat::TimePoint at, const chat::Admission& admit) override;
  std::vector<chat::Message> page(const PageQuery& query) override;

 private:
  std::vector<Result<chat::Message>> append_once(const std::vector<chat::NewMessage>& messages, chat::TimePoint at,
                                                 const chat::Admission& admit);

  Database& database_;
};

/// The message columns in the order `read_message` takes them (table alias m).
inline constexpr std::string_view kMessageColumns =
    "m.id, m.room_id, m.seq, m.sender_id, m.type, m.body, m.client_msg_id, m.created_at";
chat::Message read_message(class RowReader& row);

}  // namespace modu::storage

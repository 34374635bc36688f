#pragma once

#include "domain/chat/message_repository.hpp"
#include "storage/database.hpp"

namespace modu::storage {

class SqlMessageRepository final : public chat::MessageRepository {
 public:
  explicit SqlMessageRepository(Database& database) : database_(database) {}

  std::vector<Result<chat::Message>> append_batch(const std::vector<chat::NewMessage>& messages,
                                                  chat::TimePoint at) override;

 private:
  std::vector<Result<chat::Message>> append_once(const std::vector<chat::NewMessage>& messages, chat::TimePoint at);

  Database& database_;
};

}  // namespace modu::storage

#include "domain/chat/message.hpp"

namespace modu::chat {

std::string_view type_name(MessageType type) {
  switch (type) {
    case MessageType::text:
      return "text";
    case MessageType::image:
      return "image";
    case MessageType::file:
      return "file";
    case MessageType::system:
      return "system";
  }
  return "text";
}

std::optional<MessageType> parse_type(std::string_view name) {
  for (auto type : {MessageType::text, MessageType::image, MessageType::file, MessageType::system}) {
    if (type_name(type) == name) return type;
  }
  return std::nullopt;
}

}  // namespace modu::chat

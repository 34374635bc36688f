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

}  // namespace modu::chat

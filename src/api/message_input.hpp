#pragma once

#include "core/errors.hpp"
#include "domain/chat/message.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace modu::api {

/// A message as a client sends it, over REST or STOMP: `{type, body, clientMsgId?}`.
struct OutgoingMessage {
  chat::MessageType type;
  std::string body;
  std::optional<std::string> client_msg_id;
};

/// VALIDATION_FAILED naming the field for a missing or mistyped one. The body's own
/// limits are the chat service's to check.
Result<OutgoingMessage> parse_outgoing_message(const boost::json::object& body);

}  // namespace modu::api

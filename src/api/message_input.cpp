#include "api/message_input.hpp"

#include "http/json_body.hpp"

namespace modu::api {

Result<OutgoingMessage> parse_outgoing_message(const boost::json::object& body) {
  const http::Fields fields(body);
  auto type_name = fields.required_string("type");
  if (!type_name) return type_name.error();
  auto type = chat::parse_type(*type_name);
  if (!type) return Error::validation("field 'type' must be text, image or file");
  auto text = fields.required_string("body");
  if (!text) return text.error();
  auto client_msg_id = fields.optional_string("clientMsgId");
  if (!client_msg_id) return client_msg_id.error();
  return OutgoingMessage{*type, std::move(*text), std::move(*client_msg_id)};
}

}  // namespace modu::api

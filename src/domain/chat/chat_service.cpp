#include "domain/chat/chat_service.hpp"

#include "core/text.hpp"
#include "domain/member/validation.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace modu::chat {
namespace {

constexpr std::size_t kClientMsgIdMax = 64;

/// Text may hold line breaks and tabs, but no other control characters.
bool has_forbidden_controls(const std::string& text) {
  std::string without_layout = text;
  std::replace_if(
      without_layout.begin(), without_layout.end(), [](char c) { return c == '\n' || c == '\t' || c == '\r'; }, ' ');
  return has_control_characters(without_layout);
}

}  // namespace

Result<void> ChatService::check_message(MessageType type, const std::string& body,
                                        const std::optional<std::string>& client_msg_id) const {
  if (type == MessageType::system)
    return Error::validation("field 'type' cannot be system: only the server writes those");
  if (type == MessageType::text) {
    const auto length = code_points(body);
    if (trim(body).empty()) return Error::validation("field 'body' cannot be empty");
    if (length > max_text_length_) {
      return Error::validation(fmt::format("field 'body' must be at most {} characters", max_text_length_));
    }
    if (has_forbidden_controls(body)) return Error::validation("field 'body' cannot hold control characters");
  } else if (auto reference = member::check_image_reference(body, "body"); !reference || body.empty()) {
    return Error::validation("field 'body' must be the media id or URL of the image or file");
  }
  if (client_msg_id &&
      (client_msg_id->empty() || client_msg_id->size() > kClientMsgIdMax || has_control_characters(*client_msg_id))) {
    return Error::validation(fmt::format("field 'clientMsgId' must be 1 to {} printable characters", kClientMsgIdMax));
  }
  return {};
}

Result<void> sender_rule(const SenderStanding& standing) {
  if (!standing.member) return Error{Errc::forbidden, "you are not a member of this room"};
  return friends::BlockRule::verdict(standing.blocked_by_peer);
}

boost::asio::awaitable<Result<Message>> ChatService::send(MemberId me, RoomId room, MessageType type, std::string body,
                                                          std::optional<std::string> client_msg_id) {
  if (auto valid = check_message(type, body, client_msg_id); !valid) co_return valid.error();
  // A named local, not a braced temporary inside the co_await: GCC 12 mishandles the
  // lifetime of such temporaries in coroutines (they were destroyed twice).
  NewMessage message{room, me, type, std::move(body), std::move(client_msg_id)};
  co_return co_await commit_.append(std::move(message));
}

Result<std::vector<HistoryItem>> ChatService::history(MemberId me, RoomId room, std::optional<std::int64_t> before,
                                                      std::optional<std::int64_t> after, std::size_t size) {
  if (auto member = rooms_.require_member(me, room); !member) return member.error();
  auto page = messages_.page({room, before, after, size});
  // One read of the room's read positions serves the whole page.
  const auto members = room_store_.members(room);
  std::vector<HistoryItem> items;
  items.reserve(page.size());
  for (auto& message : page) {
    const auto unread = std::count_if(members.begin(), members.end(), [&](const room::Membership& member) {
      return member.read_seq < message.seq && (!message.sender || member.member != *message.sender);
    });
    items.push_back({std::move(message), static_cast<std::size_t>(unread)});
  }
  return items;
}

Result<std::vector<Message>> ChatService::images(MemberId me, RoomId room, std::optional<std::int64_t> before,
                                                 std::size_t size) {
  if (auto member = rooms_.require_member(me, room); !member) return member.error();
  return messages_.page({room, before, std::nullopt, size, /*images_only=*/true});
}

Result<std::int64_t> ChatService::count(MemberId me, RoomId room) {
  if (auto member = rooms_.require_member(me, room); !member) return member.error();
  return room_store_.find(room)->last_seq;  // seqs have no gaps: the last one is the count
}

}  // namespace modu::chat

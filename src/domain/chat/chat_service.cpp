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
  } else if (auto reference = member::check_image_reference(body, "body"); !reference) {
    return reference.error();
  }
  if (client_msg_id && (client_msg_id->empty() || code_points(*client_msg_id) > kClientMsgIdMax ||
                        has_control_characters(*client_msg_id))) {
    return Error::validation(fmt::format("field 'clientMsgId' must be 1 to {} printable characters", kClientMsgIdMax));
  }
  return {};
}

Result<void> sender_rule(const SenderStanding& standing) {
  if (!standing.member) return Error{Errc::forbidden, "you are not a member of this room"};
  return friends::BlockRule::verdict(standing.blocked_by_peer);
}

boost::asio::awaitable<Result<CountedMessage>> ChatService::send(MemberId me, RoomId room, MessageType type,
                                                                 std::string body,
                                                                 std::optional<std::string> client_msg_id) {
  if (auto valid = check_message(type, body, client_msg_id); !valid) co_return valid.error();
  // A named local, not a braced temporary inside the co_await: GCC 12 mishandles the
  // lifetime of such temporaries in coroutines (they were destroyed twice).
  NewMessage message{room, me, type, std::move(body), std::move(client_msg_id)};
  co_return co_await commit_.append(std::move(message));
}

namespace {

/// Reads one message more than the page holds: whether it came says whether there is a
/// next page, without a second query.
std::vector<Message> page_and_one_more(MessageRepository& messages, MessageRepository::PageQuery query,
                                       std::optional<std::int64_t>& next) {
  const auto size = query.limit;
  const bool forward = query.after && !query.before;
  ++query.limit;
  auto page = messages.page(query);
  if (page.size() > size) {
    // Ascending either way: the extra one is the newest going forward, the oldest going back.
    if (forward) {
      page.pop_back();
      next = page.back().seq;
    } else {
      page.erase(page.begin());
      next = page.front().seq;
    }
  }
  return page;
}

}  // namespace

Result<Page<CountedMessage, std::int64_t>> ChatService::history(MemberId me, RoomId room,
                                                                std::optional<std::int64_t> before,
                                                                std::optional<std::int64_t> after, std::size_t size) {
  if (auto member = rooms_.require_member(me, room); !member) return member.error();
  Page<CountedMessage, std::int64_t> history;
  auto page = page_and_one_more(messages_, {room, before, after, size}, history.next);
  // One read of the room's read positions serves the whole page.
  const auto members = room_store_.members(room);
  history.items.reserve(page.size());
  for (auto& message : page) {
    const auto unread = std::count_if(members.begin(), members.end(), [&](const room::Membership& member) {
      return member.read_seq < message.seq && (!message.sender || member.member != *message.sender);
    });
    history.items.push_back({std::move(message), static_cast<std::size_t>(unread)});
  }
  return history;
}

Result<Page<Message, std::int64_t>> ChatService::images(MemberId me, RoomId room, std::optional<std::int64_t> before,
                                                        std::size_t size) {
  if (auto member = rooms_.require_member(me, room); !member) return member.error();
  Page<Message, std::int64_t> images;
  images.items = page_and_one_more(messages_, {room, before, std::nullopt, size, /*images_only=*/true}, images.next);
  return images;
}

Result<std::int64_t> ChatService::count(MemberId me, RoomId room) {
  if (auto member = rooms_.require_member(me, room); !member) return member.error();
  return room_store_.find(room)->last_seq;  // seqs have no gaps: the last one is the count
}

Result<bool> ChatService::typing_shown(MemberId me, RoomId room) {
  const auto standing = messages_.standing(room, me);  // one statement a keystroke burst
  if (!standing.member) {
    if (auto member = rooms_.require_member(me, room); !member) return member.error();
  }
  return friends::BlockRule::verdict(standing.blocked_by_peer).has_value();
}

}  // namespace modu::chat

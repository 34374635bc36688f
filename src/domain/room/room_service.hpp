#pragma once

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/page.hpp"
#include "domain/chat/message_repository.hpp"
#include "domain/events/publisher.hpp"
#include "domain/friend/block_rule.hpp"
#include "domain/member/member_repository.hpp"
#include "domain/room/room_repository.hpp"
#include "domain/room/unread_news.hpp"

namespace modu::room {

struct RoomDetail {
  Room room;
  std::vector<Membership> members;
};

/// Rooms and who is in them. Only members see a room; a block stops the blocked from
/// opening a 1:1 room with, or inviting, the member who blocked them. Joins, leaves and
/// renames are told in the room as system messages. Blocking: call from the worker pool.
/// @par Thread safety
/// Stateless; safe from any thread.
class RoomService {
 public:
  RoomService(RoomRepository& rooms, member::MemberRepository& members, friends::BlockRule& blocks,
              chat::MessageRepository& messages, events::Publisher& publisher, UnreadNews& unread_news,
              const Clock& clock, std::size_t max_group_members, std::size_t preview_members)
      : rooms_(rooms),
        members_(members),
        blocks_(blocks),
        messages_(messages),
        publisher_(publisher),
        unread_news_(unread_news),
        clock_(clock),
        max_group_members_(max_group_members),
        preview_members_(preview_members) {}

  struct Opened {
    RoomDetail detail;
    bool created;
  };
  /// One other member: our 1:1 room, the same one every time. More: a new group.
  Result<Opened> open(MemberId me, std::vector<MemberId> others, const std::optional<std::string>& name);
  Result<RoomDetail> get(MemberId me, RoomId id);
  /// Absent fields stay; an empty image removes it. Groups only.
  Result<RoomDetail> update(MemberId me, RoomId id, const std::optional<std::string>& name,
                            const std::optional<std::optional<std::string>>& image);
  Result<RoomDetail> invite(MemberId me, RoomId id, std::vector<MemberId> others);
  Result<void> leave(MemberId me, RoomId id);
  Result<Page<RoomSummary, ActivityCursor>> list(MemberId me, const std::optional<ActivityCursor>& after,
                                                 std::size_t size);
  /// Mutes the room for me or unmutes it (a flag for push notifications to honour;
  /// unread counts and live delivery stay); returns my membership as it now is.
  Result<Membership> set_muted(MemberId me, RoomId id, bool muted);
  /// Moves my read position forward; returns it.
  Result<std::int64_t> mark_read(MemberId me, RoomId id, std::int64_t seq);
  /// NOT_FOUND for no such room, FORBIDDEN for a room I am not in.
  Result<Membership> require_member(MemberId me, RoomId id);

 private:
  Result<std::vector<MemberId>> check_others(MemberId me, std::vector<MemberId> others);
  /// Stores a system message and tells the room; `actor` (who did what it says) has read it.
  void tell(RoomId id, std::string event_json, std::optional<MemberId> actor = std::nullopt);
  /// Whether it was stored: one `only_while_away` is not once the member is back.
  bool tell(chat::NewMessage message);
  Result<RoomDetail> detail(RoomId id);

  RoomRepository& rooms_;
  member::MemberRepository& members_;
  friends::BlockRule& blocks_;
  chat::MessageRepository& messages_;
  events::Publisher& publisher_;
  UnreadNews& unread_news_;
  const Clock& clock_;
  std::size_t max_group_members_;
  std::size_t preview_members_;
};

}  // namespace modu::room

#pragma once

#include "core/ids.hpp"
#include "domain/chat/message.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace modu::room {

using TimePoint = std::chrono::system_clock::time_point;

enum class Kind { direct, group };
enum class Role { owner, member };

struct Room {
  RoomId id;
  Kind kind = Kind::group;
  std::optional<std::string> name;
  std::optional<std::string> image;
  std::int64_t last_seq = 0;
  TimePoint last_activity_at;
  bool archived = false;
  TimePoint created_at;
  /// A 1:1 room's two members, whether they are in it now or one has left it.
  std::optional<std::pair<MemberId, MemberId>> pair;

  /// In a 1:1 room, the member of the pair who is not `me`.
  std::optional<MemberId> peer_of(MemberId me) const {
    if (!pair) return std::nullopt;
    return pair->first == me ? pair->second : pair->first;
  }
};

/// Room — room member — member: the membership carries its own data.
struct Membership {
  MemberId member;
  std::string nickname;
  std::optional<std::string> profile_image;
  Role role = Role::member;
  TimePoint joined_at;
  std::int64_t read_seq = 0;
  bool muted = false;
};

/// A row of "my rooms": the room, its newest message, my read position, how many are
/// in it, and the first few of them.
struct RoomSummary {
  Room room;
  std::optional<chat::Message> last_message;
  std::int64_t my_read_seq = 0;
  bool my_muted = false;
  std::size_t member_count = 0;
  std::vector<Membership> preview;
};

/// Where "my rooms" goes on from: after this (last activity, id), newest first.
struct ActivityCursor {
  TimePoint last_activity_at;
  RoomId id;
};

}  // namespace modu::room

#pragma once

#include "domain/room/room.hpp"

#include <optional>
#include <vector>

namespace modu::room {

/// Rooms and memberships. Blocking: call from the worker pool.
class RoomRepository {
 public:
  virtual ~RoomRepository() = default;

  /// The 1:1 room of a pair, made if there is none; `created` says which. Two members
  /// creating it at once get the same room (a unique key on the pair decides). An opener
  /// who had left it is back in it (`rejoined`); the other, if they left, is not: they
  /// come back when they are written to, as in KakaoTalk.
  struct Direct {
    Room room;
    bool created = false;
    bool rejoined = false;
  };
  virtual Direct find_or_create_direct(MemberId opener, MemberId other, TimePoint at) = 0;
  virtual Room create_group(MemberId owner, const std::vector<MemberId>& others, const std::optional<std::string>& name,
                            TimePoint at) = 0;
  virtual std::optional<Room> find(RoomId id) = 0;
  virtual std::vector<Membership> members(RoomId id) = 0;
  virtual std::optional<Membership> membership(RoomId id, MemberId member) = 0;
  /// Each member's read position in the room.
  virtual std::vector<std::pair<MemberId, std::int64_t>> read_positions(RoomId id) = 0;
  /// Adds those not in the room yet; returns them. None, and nothing added, when the room
  /// would then hold more than `max_members`: counted under the room's lock, so invites
  /// sent at once cannot overfill it together.
  virtual std::optional<std::vector<MemberId>> add_members(RoomId id, const std::vector<MemberId>& members,
                                                           TimePoint at, std::size_t max_members) = 0;
  /// What taking a member out of a room did.
  struct Removal {
    bool removed = false;               ///< false: they were not in it
    std::optional<MemberId> new_owner;  ///< they owned it; this member has since
    explicit operator bool() const { return removed; }
  };
  /// Removes a member; archives the room when nobody is left, and gives an owner's room to
  /// the member who has been in it longest.
  virtual Removal remove_member(RoomId id, MemberId member) = 0;
  virtual Room update(RoomId id, const std::optional<std::string>& name, const std::optional<std::string>& image) = 0;
  /// Turns the member's notifications for the room off or on. False if not a member.
  virtual bool set_muted(RoomId id, MemberId member, bool muted) = 0;
  /// Moves a read position forward only, and never past the room's last seq; returns it.
  virtual std::int64_t advance_read(RoomId id, MemberId member, std::int64_t seq) = 0;
  /// Everyone who shares a room of at most `max_room_members` with `member`, each once.
  virtual std::vector<MemberId> co_members(MemberId member, std::size_t max_room_members) = 0;
  /// Whether `a` and `b` are in a room together.
  virtual bool share_room(MemberId a, MemberId b) = 0;
  /// My rooms by last activity, newest first, with what a room list shows, in a fixed
  /// number of statements whatever the page size.
  virtual std::vector<RoomSummary> list_for(MemberId member, const std::optional<ActivityCursor>& after,
                                            std::size_t limit, std::size_t preview_size) = 0;
};

}  // namespace modu::room

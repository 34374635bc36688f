#include "domain/room/room_service.hpp"

#include "core/text.hpp"
#include "domain/member/validation.hpp"

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <exception>

namespace modu::room {
namespace {

constexpr std::size_t kRoomNameMax = 50;

boost::json::array ids_json(const std::vector<MemberId>& ids) {
  boost::json::array array;
  for (auto id : ids) array.push_back(id.value());
  return array;
}

Result<std::optional<std::string>> check_name(const std::optional<std::string>& name) {
  if (!name) return std::optional<std::string>();
  auto trimmed = trim(*name);
  if (has_control_characters(trimmed)) {
    return Error::validation("field 'name' cannot hold control characters (line breaks and tabs included)");
  }
  if (trimmed.empty() || code_points(trimmed) > kRoomNameMax) {
    return Error::validation(fmt::format("field 'name' must be 1 to {} characters", kRoomNameMax));
  }
  return std::optional<std::string>(std::move(trimmed));
}

}  // namespace

Result<Membership> RoomService::require_member(MemberId me, RoomId id) {
  if (auto membership = rooms_.membership(id, me)) return std::move(*membership);
  if (!rooms_.find(id)) return Error::not_found("no such room");
  return Error{Errc::forbidden, "you are not a member of this room"};
}

Result<RoomDetail> RoomService::detail(RoomId id) {
  auto room = rooms_.find(id);
  if (!room) return Error::not_found("no such room");
  return RoomDetail{std::move(*room), rooms_.members(id)};
}

void RoomService::tell(RoomId id, std::string event_json, std::optional<MemberId> actor) {
  tell({.room = id, .type = chat::MessageType::system, .body = std::move(event_json), .read_by = actor});
}

bool RoomService::tell(chat::NewMessage message) {
  const auto actor = message.read_by;  // moved into the batch
  auto stored = messages_.append_batch({std::move(message)}, clock_.now(), {});
  if (!stored.front()) return false;
  const auto& told = stored.front()->message;
  publisher_.message_stored({told, stored.front()->unread_member_count});
  // A system message has no sender whose read position its event implies (a sender's
  // message does: see `Publisher::message_stored`), so its actor's is told. Not for a
  // room's first message: nobody can watch a room yet whose creation it tells.
  if (actor && stored.front()->read_moved && told.seq > 1) {
    publisher_.read_moved(told.room, *actor, told.seq, told.seq);
  }
  unread_news_.message_stored(told);
  return true;
}

Result<std::vector<MemberId>> RoomService::check_others(MemberId me, std::vector<MemberId> others) {
  std::sort(others.begin(), others.end());
  others.erase(std::unique(others.begin(), others.end()), others.end());
  std::erase(others, me);
  if (others.empty()) return Error::validation("field 'memberIds' needs at least one member other than you");
  if (others.size() + 1 > max_group_members_) {
    return Error::validation(fmt::format("a room holds at most {} members", max_group_members_));
  }
  const auto found = members_.find_many(others);
  if (found.size() != others.size()) {
    for (auto id : others) {
      if (std::none_of(found.begin(), found.end(), [id](const auto& m) { return m.id == id; })) {
        return Error::not_found(fmt::format("no member with id {}", id.value()));
      }
    }
  }
  for (auto other : others) {
    if (auto reach = blocks_.check_can_reach(me, other); !reach) return reach.error();
  }
  return others;
}

Result<RoomService::Opened> RoomService::open(MemberId me, std::vector<MemberId> others,
                                              const std::optional<std::string>& name) {
  auto checked = check_others(me, std::move(others));
  if (!checked) return checked.error();
  // Checked for a 1:1 room too, which has no name: a bad one is bad input either way.
  auto room_name = check_name(name);
  if (!room_name) return room_name.error();
  const auto now = clock_.now();
  if (checked->size() == 1) {
    auto direct = rooms_.find_or_create_direct(me, checked->front(), now);
    auto members = rooms_.members(direct.room.id);
    if (direct.created) {
      for (const auto& member : members) publisher_.joined(direct.room.id, member.member, me);
    } else if (direct.rejoined) {
      publisher_.joined(direct.room.id, me, me);  // my other devices hear of it
    }
    return Opened{{direct.room, std::move(members)}, direct.created};
  }
  auto group = rooms_.create_group(me, *checked, *room_name, now);
  tell(group.id,
       boost::json::serialize(
           boost::json::object{{"event", "created"}, {"by", me.value()}, {"memberIds", ids_json(*checked)}}),
       me);
  auto created = detail(group.id);
  if (!created) return created.error();
  for (const auto& member : created->members) publisher_.joined(group.id, member.member, me);
  return Opened{std::move(*created), true};
}

Result<RoomDetail> RoomService::get(MemberId me, RoomId id) {
  if (auto member = require_member(me, id); !member) return member.error();
  return detail(id);
}

Result<RoomDetail> RoomService::update(MemberId me, RoomId id, const std::optional<std::string>& name,
                                       const std::optional<std::optional<std::string>>& image) {
  if (auto member = require_member(me, id); !member) return member.error();
  auto room = rooms_.find(id);
  if (room->kind == Kind::direct) return Error::validation("a 1:1 room has no name or image of its own");
  auto room_name = check_name(name);
  if (!room_name) return room_name.error();
  std::optional<std::string> new_image = room->image;
  if (image) {
    new_image = image->value_or("").empty() ? std::nullopt : *image;
    if (new_image) {
      if (auto checked = member::check_image_reference(*new_image, "image"); !checked) return checked.error();
    }
  }
  const auto new_name = *room_name ? *room_name : room->name;
  rooms_.update(id, new_name, new_image);
  if (new_name != room->name) {
    tell(id,
         boost::json::serialize(boost::json::object{
             {"event", "renamed"}, {"by", me.value()}, {"name", new_name ? boost::json::value(*new_name) : nullptr}}),
         me);
  }
  auto changed = detail(id);
  if (changed && (new_name != room->name || new_image != room->image)) {
    std::vector<MemberId> members;
    for (const auto& member : changed->members) members.push_back(member.member);
    publisher_.room_changed(id, members);
  }
  return changed;
}

Result<RoomDetail> RoomService::invite(MemberId me, RoomId id, std::vector<MemberId> others) {
  if (auto member = require_member(me, id); !member) return member.error();
  if (rooms_.find(id)->kind == Kind::direct) {
    return Error::validation("a 1:1 room takes no more members; open a group room with everyone instead");
  }
  if (others.empty()) return Error::validation("field 'memberIds' needs at least one member to invite");
  // Those in the room already (me among them) are left alone, whatever their blocks:
  // there is nothing to ask.
  const auto current = rooms_.members(id);
  std::erase_if(others, [&](MemberId other) {
    return std::any_of(current.begin(), current.end(), [&](const auto& m) { return m.member == other; });
  });
  if (others.empty()) return detail(id);
  auto checked = check_others(me, std::move(others));
  if (!checked) return checked.error();
  const auto too_many = [&] {
    return Error::validation(fmt::format("a room holds at most {} members", max_group_members_));
  };
  if (current.size() + checked->size() > max_group_members_) return too_many();
  // Counted again under the room's lock: other invites may have come meanwhile.
  const auto added = rooms_.add_members(id, *checked, clock_.now(), max_group_members_);
  if (!added) return too_many();
  if (!added->empty()) {
    tell(id,
         boost::json::serialize(
             boost::json::object{{"event", "invited"}, {"by", me.value()}, {"memberIds", ids_json(*added)}}),
         me);
  }
  for (const auto& member : *added) publisher_.joined(id, member, me);
  return detail(id);
}

Result<void> RoomService::leave(MemberId me, RoomId id) {
  if (auto member = require_member(me, id); !member) return member.error();
  const auto removal = rooms_.remove_member(id, me);
  // Another leave of mine got there first (a double tap): it tells the room.
  if (!removal) return Error{Errc::forbidden, "you are not a member of this room"};
  // Told only if I am still away: a friend's message may have brought me back to a 1:1
  // room already (or an invite to a group), and "left" after it would say I am gone when
  // I am not; nor would my connections drop the room they were just told I joined.
  bool away = true;
  std::exception_ptr untold;
  try {
    away = tell({.room = id,
                 .type = chat::MessageType::system,
                 .body = boost::json::serialize(boost::json::object{{"event", "left"}, {"memberId", me.value()}}),
                 .only_while_away = me});
  } catch (...) {
    // The database gave up on "left", but the removal stands: what follows from it is
    // still told (were I brought back meanwhile, my connections let the room go early;
    // the next reconnect has it again).
    untold = std::current_exception();
  }
  if (away) publisher_.left(id, me);
  if (removal.new_owner) {
    // The members' lists show roles: they read the room again.
    std::vector<MemberId> members;
    for (const auto& member : rooms_.members(id)) members.push_back(member.member);
    publisher_.room_changed(id, members);
  }
  if (untold) std::rethrow_exception(untold);
  return {};
}

Result<Page<RoomSummary, ActivityCursor>> RoomService::list(MemberId me, const std::optional<ActivityCursor>& after,
                                                            std::size_t size) {
  Page<RoomSummary, ActivityCursor> page;
  page.items = rooms_.list_for(me, after, size + 1, preview_members_);
  if (page.items.size() > size) {
    page.items.resize(size);
    page.next = ActivityCursor{page.items.back().room.last_activity_at, page.items.back().room.id};
  }
  return page;
}

Result<Membership> RoomService::set_muted(MemberId me, RoomId id, bool muted) {
  if (auto member = require_member(me, id); !member) return member.error();
  // A leave between the check and the change: the room is no longer mine to mute.
  if (!rooms_.set_muted(id, me, muted)) return Error{Errc::forbidden, "you are not a member of this room"};
  publisher_.room_changed(id, {me});  // my other devices show it muted too; nobody else is told
  return require_member(me, id);
}

Result<std::int64_t> RoomService::mark_read(MemberId me, RoomId id, std::int64_t seq) {
  auto member = require_member(me, id);
  if (!member) return member.error();
  if (seq < 0) return Error::validation("field 'seq' cannot be negative");
  const auto position = rooms_.advance_read(id, me, seq);
  if (position > member->read_seq) {
    if (auto room = rooms_.find(id)) publisher_.read_moved(id, me, position, room->last_seq);
  }
  return position;
}

}  // namespace modu::room

#include "domain/friend/friend_service.hpp"

#include "domain/member/validation.hpp"

namespace modu::friends {
namespace {

Error not_a_friend() { return Error::not_found("that member is not on your friend list"); }

}  // namespace

Result<FriendService::Added> FriendService::add(MemberId me, MemberId other) {
  if (other == me) return Error::validation("you cannot add yourself as a friend");
  if (!members_.find(other)) return Error::not_found("no such member");
  const bool created = friends_.add(me, other, clock_.now(), {});
  auto relation = friends_.find(me, other);
  if (!relation) return not_a_friend();  // removed in between
  // A member who blocked me does not hear from me this way either.
  if (created) publisher_.friend_added(me, other, blocks_.can_reach(me, other));
  return Added{std::move(*relation), created};
}

Result<FriendService::Added> FriendService::add_by_email(MemberId me, std::string_view email) {
  auto normalized = member::normalize_email(email);
  if (!normalized) return normalized.error();
  auto other = members_.find_by_email(*normalized);
  if (!other) return Error::not_found("no member has that email");
  return add(me, other->id);
}

Result<Page<Friend, member::NicknameCursor>> FriendService::list(MemberId me, Filter filter,
                                                                 const std::optional<member::NicknameCursor>& after,
                                                                 std::size_t size) {
  Page<Friend, member::NicknameCursor> page;
  page.items = friends_.list(me, filter, after, size + 1);
  if (page.items.size() > size) {
    page.items.resize(size);
    page.next = member::NicknameCursor{page.items.back().member.nickname, page.items.back().member.id};
  }
  return page;
}

Result<Friend> FriendService::change(MemberId me, MemberId other, const FriendPatch& patch) {
  if (other == me) return Error::validation("you cannot change yourself as a friend");
  const bool was_blocked = patch.blocked.has_value() && !blocks_.can_reach(other, me);
  if (!friends_.update(me, other, patch)) {
    if (patch.blocked != true || patch.favorite || patch.hidden) return not_a_friend();
    if (!members_.find(other)) return Error::not_found("no such member");
    if (!friends_.add(me, other, clock_.now(), patch)) friends_.update(me, other, patch);  // added meanwhile
  }
  auto relation = friends_.find(me, other);
  if (!relation) return not_a_friend();
  if (patch.blocked.has_value() && relation->blocked != was_blocked) {
    block_listener_.block_changed(me, other, relation->blocked);
  }
  return std::move(*relation);
}

Result<void> FriendService::remove(MemberId me, MemberId other) {
  const bool was_blocked = !blocks_.can_reach(other, me);
  if (!friends_.remove(me, other)) return not_a_friend();
  if (was_blocked) block_listener_.block_changed(me, other, false);
  return {};
}

}  // namespace modu::friends

#pragma once

#include "domain/member/member.hpp"

namespace modu::friends {

/// A member on my friend list, with the kinds the relation has: favorite, hidden and
/// blocked are kinds of the friend relation, not fields of the member.
struct Friend {
  member::Member member;
  bool favorite = false;
  bool hidden = false;
  bool blocked = false;
  member::TimePoint since;
};

/// Which friends a listing shows. `all` is the default list: hidden and blocked
/// friends leave it; `favorite` is the favorites among them.
enum class Filter { all, favorite, hidden, blocked };

/// A change of kinds; absent fields stay as they are.
struct FriendPatch {
  std::optional<bool> favorite;
  std::optional<bool> hidden;
  std::optional<bool> blocked;
};

}  // namespace modu::friends

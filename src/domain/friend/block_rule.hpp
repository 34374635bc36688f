#pragma once

#include "core/errors.hpp"
#include "domain/friend/friend_repository.hpp"

namespace modu::friends {

/// The one place blocking is decided. A member who blocked me cannot be reached by me:
/// I cannot open a 1:1 room with them, invite them, or message them where they blocked
/// me, and nothing of me reaches them live (typing, my adding them as a friend); nor do I
/// see whether they are online. Rooms, messages, friends and presence ask this rule;
/// none of them reads the flag themselves.
/// @par Thread safety
/// Stateless; blocking (reads the repository): call from the worker pool.
class BlockRule {
 public:
  explicit BlockRule(FriendRepository& friends) : friends_(friends) {}

  /// FORBIDDEN when `target` has blocked `actor`.
  Result<void> check_can_reach(MemberId actor, MemberId target) { return verdict(!can_reach(actor, target)); }
  bool can_reach(MemberId actor, MemberId target) { return !friends_.blocks(target, actor); }

  /// The members `member` blocked: they reach `member` in no way and do not see them online.
  std::vector<MemberId> shut_out_by(MemberId member) { return friends_.members_blocked_by(member); }

  /// The same decision, for a caller that read whether the target blocked the actor in
  /// its own transaction (storing a message does).
  static Result<void> verdict(bool target_blocked_actor) {
    if (target_blocked_actor) return Error{Errc::forbidden, "this member does not accept contact from you"};
    return {};
  }

 private:
  FriendRepository& friends_;
};

}  // namespace modu::friends

#pragma once

#include "core/clock.hpp"
#include "core/page.hpp"
#include "domain/events/publisher.hpp"
#include "domain/friend/block_listener.hpp"
#include "domain/friend/block_rule.hpp"
#include "domain/friend/friend_repository.hpp"
#include "domain/member/member_repository.hpp"

namespace modu::friends {

/// My friend list. Blocking: call from the worker pool.
/// @par Thread safety
/// Stateless; safe from any thread.
class FriendService {
 public:
  FriendService(FriendRepository& friends, BlockRule& blocks, BlockListener& block_listener,
                member::MemberRepository& members, events::Publisher& publisher, const Clock& clock)
      : friends_(friends),
        blocks_(blocks),
        block_listener_(block_listener),
        members_(members),
        publisher_(publisher),
        clock_(clock) {}

  struct Added {
    Friend relation;
    bool created;  ///< false: they were on the list already
  };
  /// NOT_FOUND for an unknown member; VALIDATION_FAILED for myself.
  Result<Added> add(MemberId me, MemberId other);
  Result<Added> add_by_email(MemberId me, std::string_view email);
  Result<Page<Friend, member::NicknameCursor>> list(MemberId me, Filter filter,
                                                    const std::optional<member::NicknameCursor>& after,
                                                    std::size_t size);
  /// NOT_FOUND when they are not on my list, except for blocking: a member can be
  /// blocked without being a friend (a stranger who writes to me), and joins the list
  /// as blocked. A block that changes is told to the block listener.
  Result<Friend> change(MemberId me, MemberId other, const FriendPatch& patch);
  /// Removing a blocked member from the list unblocks them (told like an unblock).
  Result<void> remove(MemberId me, MemberId other);

 private:
  FriendRepository& friends_;
  BlockRule& blocks_;
  BlockListener& block_listener_;
  member::MemberRepository& members_;
  events::Publisher& publisher_;
  const Clock& clock_;
};

}  // namespace modu::friends

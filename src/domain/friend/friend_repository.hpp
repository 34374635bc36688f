#pragma once

#include "domain/friend/friend.hpp"

#include <optional>
#include <vector>

namespace modu::friends {

/// Friend relations: owner → friend, one row each way that was added. Blocking: call
/// from the worker pool.
class FriendRepository {
 public:
  virtual ~FriendRepository() = default;
  /// False when the relation was there already.
  virtual bool add(MemberId owner, MemberId other, member::TimePoint at, const FriendPatch& kinds) = 0;
  virtual std::optional<Friend> find(MemberId owner, MemberId other) = 0;
  /// By (nickname, member id), after `after`.
  virtual std::vector<Friend> list(MemberId owner, Filter filter, const std::optional<member::NicknameCursor>& after,
                                   std::size_t limit) = 0;
  /// False when there is no such relation.
  virtual bool update(MemberId owner, MemberId other, const FriendPatch& patch) = 0;
  virtual bool remove(MemberId owner, MemberId other) = 0;
  /// Whether `owner` has blocked `other`.
  virtual bool blocks(MemberId owner, MemberId other) = 0;
  /// The members `owner` has blocked.
  virtual std::vector<MemberId> members_blocked_by(MemberId owner) = 0;
};

}  // namespace modu::friends

#pragma once

#include "domain/friend/friend_repository.hpp"
#include "storage/database.hpp"

namespace modu::storage {

class SqlFriendRepository final : public friends::FriendRepository {
 public:
  explicit SqlFriendRepository(Database& database) : database_(database) {}

  bool add(MemberId owner, MemberId other, member::TimePoint at, const friends::FriendPatch& kinds) override;
  std::optional<friends::Friend> find(MemberId owner, MemberId other) override;
  std::vector<friends::Friend> list(MemberId owner, friends::Filter filter,
                                    const std::optional<member::NicknameCursor>& after, std::size_t limit) override;
  bool update(MemberId owner, MemberId other, const friends::FriendPatch& patch) override;
  bool remove(MemberId owner, MemberId other) override;
  bool blocks(MemberId owner, MemberId other) override;
  std::vector<MemberId> members_blocked_by(MemberId owner) override;

 private:
  Database& database_;
};

}  // namespace modu::storage

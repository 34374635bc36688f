#pragma once

#include "domain/room/room_repository.hpp"
#include "storage/database.hpp"

namespace modu::storage {

class SqlRoomRepository final : public room::RoomRepository {
 public:
  explicit SqlRoomRepository(Database& database) : database_(database) {}

  Direct find_or_create_direct(MemberId opener, MemberId other, room::TimePoint at) override;
  room::Room create_group(MemberId owner, const std::vector<MemberId>& others, const std::optional<std::string>& name,
                          room::TimePoint at) override;
  std::optional<room::Room> find(RoomId id) override;
  std::vector<room::Membership> members(RoomId id) override;
  std::optional<room::Membership> membership(RoomId id, MemberId member) override;
  std::optional<std::vector<MemberId>> add_members(RoomId id, const std::vector<MemberId>& members, room::TimePoint at,
                                                   std::size_t max_members) override;
  Removal remove_member(RoomId id, MemberId member) override;
  room::Room update(RoomId id, const std::optional<std::string>& name,
                    const std::optional<std::string>& image) override;
  bool set_muted(RoomId id, MemberId member, bool muted) override;
  std::int64_t advance_read(RoomId id, MemberId member, std::int64_t seq) override;
  std::vector<std::pair<MemberId, std::int64_t>> read_positions(RoomId id) override;
  std::vector<MemberId> co_members(MemberId member, std::size_t max_room_members) override;
  bool share_room(MemberId a, MemberId b) override;
  std::vector<room::RoomSummary> list_for(MemberId member, const std::optional<room::ActivityCursor>& after,
                                          std::size_t limit, std::size_t preview_size) override;

 private:
  Database& database_;
};

}  // namespace modu::storage

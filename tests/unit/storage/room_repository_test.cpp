// Rooms, memberships, history pages and "my rooms" on SQLite and MariaDB.
#include "storage/sql_room_repository.hpp"

#include "domain/chat/chat_service.hpp"
#include "storage/migrations.hpp"
#include "storage/sql_member_repository.hpp"
#include "storage/sql_message_repository.hpp"
#include "support/databases.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace modu::storage {
namespace {

using testing::Engine;
using testing::ScratchDatabase;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795613705895));

class RoomRepositoryTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    MODU_REQUIRE_DATABASE(scratch_);
    database_ = std::make_unique<Database>(scratch_.url(), 4, 5000);
    migrate(*database_);
    SqlMemberRepository members(*database_);
    for (auto name : {"amy", "bob", "cat", "dan"}) {
      ids_.push_back(members.create({std::string(name) + "@example.com", "h", name, kNow})->id);
    }
  }

  chat::NewMessage text(RoomId room, MemberId sender, std::string body) {
    return {room, sender, chat::MessageType::text, std::move(body), std::nullopt};
  }

  ScratchDatabase scratch_{GetParam()};
  std::unique_ptr<Database> database_;
  std::vector<MemberId> ids_;
};

TEST_P(RoomRepositoryTest, OneDirectRoomPerPairEvenWhenBothOpenItAtOnce) {
  SqlRoomRepository rooms(*database_);
  std::vector<RoomId> opened(8);
  std::vector<std::thread> openers;
  for (int i = 0; i < 8; ++i) {
    openers.emplace_back([&, i] {
      auto direct = i % 2 ? rooms.find_or_create_direct(ids_[0], ids_[1], kNow)
                          : rooms.find_or_create_direct(ids_[1], ids_[0], kNow);
      opened[i] = direct.room.id;
    });
  }
  for (auto& opener : openers) opener.join();
  for (auto id : opened) EXPECT_EQ(id, opened[0]);
  EXPECT_EQ(rooms.members(opened[0]).size(), 2u);
  EXPECT_FALSE(rooms.find_or_create_direct(ids_[0], ids_[1], kNow).created);
  EXPECT_NE(rooms.find_or_create_direct(ids_[0], ids_[2], kNow).room.id, opened[0]);

  // Someone who left is not brought back by the other opening the room (a message does
  // that: MessageWriteTest), but is when they open it again themselves.
  EXPECT_TRUE(rooms.remove_member(opened[0], ids_[0]));
  const auto opened_by_other = rooms.find_or_create_direct(ids_[1], ids_[0], kNow);
  EXPECT_EQ(opened_by_other.room.id, opened[0]);
  EXPECT_FALSE(opened_by_other.rejoined);
  EXPECT_FALSE(rooms.membership(opened[0], ids_[0]));
  const auto reopened = rooms.find_or_create_direct(ids_[0], ids_[1], kNow);
  EXPECT_EQ(reopened.room.id, opened[0]);
  EXPECT_TRUE(reopened.rejoined);
  EXPECT_TRUE(rooms.membership(opened[0], ids_[0]));
  EXPECT_FALSE(rooms.find_or_create_direct(ids_[0], ids_[1], kNow).rejoined);
}

TEST_P(RoomRepositoryTest, GroupsHaveAnOwnerMembersJoinLeaveAndAnEmptyRoomIsArchived) {
  SqlRoomRepository rooms(*database_);
  auto group = rooms.create_group(ids_[0], {ids_[1], ids_[2]}, std::string("trip"), kNow);
  EXPECT_EQ(group.kind, room::Kind::group);
  EXPECT_EQ(group.name, "trip");
  auto members = rooms.members(group.id);
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(rooms.membership(group.id, ids_[0])->role, room::Role::owner);
  EXPECT_EQ(rooms.membership(group.id, ids_[1])->role, room::Role::member);
  // Past its limit a room takes nobody; those in it already do not count as new.
  EXPECT_EQ(rooms.add_members(group.id, {ids_[2], ids_[3]}, kNow, 3), std::nullopt);
  EXPECT_EQ(rooms.members(group.id).size(), 3u);
  EXPECT_EQ(rooms.add_members(group.id, {ids_[2], ids_[3]}, kNow, 4), (std::vector<MemberId>{ids_[3]}));
  auto renamed = rooms.update(group.id, std::string("new name"), std::string("media/7"));
  EXPECT_EQ(renamed.name, "new name");
  EXPECT_EQ(renamed.image, "media/7");
  // The owner leaves: the one in the room longest (the first of those who joined at once) takes over.
  EXPECT_EQ(rooms.remove_member(group.id, ids_[0]).new_owner, ids_[1]);
  EXPECT_EQ(rooms.membership(group.id, ids_[1])->role, room::Role::owner);
  EXPECT_EQ(rooms.membership(group.id, ids_[2])->role, room::Role::member);
  auto member_left = rooms.remove_member(group.id, ids_[2]);
  EXPECT_TRUE(member_left);
  EXPECT_FALSE(member_left.new_owner);  // a member leaving hands nothing over
  EXPECT_EQ(rooms.membership(group.id, ids_[1])->role, room::Role::owner);
  EXPECT_EQ(rooms.membership(group.id, ids_[3])->role, room::Role::member);
  for (auto member : {ids_[1], ids_[3]}) EXPECT_TRUE(rooms.remove_member(group.id, member));
  EXPECT_FALSE(rooms.remove_member(group.id, ids_[0]));
  EXPECT_TRUE(rooms.find(group.id)->archived);
}

/// Invites sent at once are counted one after another: together they cannot take a room
/// past its limit.
TEST_P(RoomRepositoryTest, InvitesAtOnceCannotOverfillARoom) {
  SqlRoomRepository rooms(*database_);
  const auto group = rooms.create_group(ids_[0], {ids_[1]}, std::nullopt, kNow).id;
  for (int round = 0; round < 5; ++round) {
    std::atomic<int> added = 0;
    std::vector<std::thread> inviters;
    for (auto invitee : {ids_[2], ids_[3]}) {
      inviters.emplace_back([&, invitee] {
        if (rooms.add_members(group, {invitee}, kNow, 3)) ++added;
      });
    }
    for (auto& inviter : inviters) inviter.join();
    EXPECT_EQ(added, 1);
    EXPECT_EQ(rooms.members(group).size(), 3u);
    for (auto invitee : {ids_[2], ids_[3]}) rooms.remove_member(group, invitee);
  }
}

TEST_P(RoomRepositoryTest, AnOwnerWhoLeavesHandsTheGroupToWhoeverJoinedFirst) {
  SqlRoomRepository rooms(*database_);
  auto group = rooms.create_group(ids_[0], {ids_[3]}, std::nullopt, kNow);
  // Bob joins later than Dan, though his id is lower: time in the room decides.
  rooms.add_members(group.id, {ids_[1]}, kNow + std::chrono::minutes(1), 500);
  EXPECT_EQ(rooms.remove_member(group.id, ids_[0]).new_owner, ids_[3]);
  EXPECT_EQ(rooms.membership(group.id, ids_[3])->role, room::Role::owner);
  EXPECT_EQ(rooms.membership(group.id, ids_[1])->role, room::Role::member);
}

TEST_P(RoomRepositoryTest, HistoryPagesBothWaysWithoutOffsetsAndReadMarkersOnlyMoveForward) {
  SqlRoomRepository rooms(*database_);
  SqlMessageRepository messages(*database_);
  auto group = rooms.create_group(ids_[0], {ids_[1]}, std::nullopt, kNow);
  for (int i = 1; i <= 10; ++i)
    messages.append_batch({text(group.id, ids_[i % 2], std::to_string(i))}, kNow, chat::sender_rule);
  messages.append_batch({{group.id, ids_[0], chat::MessageType::image, "media/1", std::nullopt}}, kNow,
                        chat::sender_rule);

  auto latest = messages.page({group.id, std::nullopt, std::nullopt, 3});
  ASSERT_EQ(latest.size(), 3u);
  EXPECT_EQ(latest.front().seq, 9);
  EXPECT_EQ(latest.back().seq, 11);
  auto earlier = messages.page({group.id, 9, std::nullopt, 3});
  EXPECT_EQ(earlier.front().seq, 6);
  EXPECT_EQ(earlier.back().seq, 8);
  auto caught_up = messages.page({group.id, std::nullopt, 2, 3});
  EXPECT_EQ(caught_up.front().seq, 3);
  EXPECT_EQ(caught_up.back().seq, 5);
  auto images = messages.page({group.id, std::nullopt, std::nullopt, 10, /*images_only=*/true});
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].body, "media/1");

  // Senders have read what they sent; others move forward only, and never past the end.
  EXPECT_EQ(rooms.membership(group.id, ids_[0])->read_seq, 11);
  EXPECT_EQ(rooms.membership(group.id, ids_[1])->read_seq, 9);
  EXPECT_EQ(rooms.advance_read(group.id, ids_[1], 5), 9);
  EXPECT_EQ(rooms.advance_read(group.id, ids_[1], 10), 10);
  EXPECT_EQ(rooms.advance_read(group.id, ids_[1], 500), 11);

  // A member who joins later starts with everything so far read.
  rooms.add_members(group.id, {ids_[2]}, kNow, 500);
  EXPECT_EQ(rooms.membership(group.id, ids_[2])->read_seq, 11);

  // Every member's position in one read, as the unread news takes them.
  auto positions = rooms.read_positions(group.id);
  std::sort(positions.begin(), positions.end());
  EXPECT_EQ(positions, (std::vector<std::pair<MemberId, std::int64_t>>{{ids_[0], 11}, {ids_[1], 11}, {ids_[2], 11}}));
}

/// The room list takes the same number of statements for one room as for twenty.
TEST_P(RoomRepositoryTest, MyRoomsTakeAFixedNumberOfStatementsByLastActivity) {
  SqlRoomRepository rooms(*database_);
  SqlMessageRepository messages(*database_);
  auto statements_for = [&](std::size_t page) {
    const auto before = database_->statements();
    auto summaries = rooms.list_for(ids_[0], std::nullopt, page, 3);
    return std::make_pair(database_->statements() - before, summaries);
  };
  std::vector<RoomId> created;
  for (int i = 0; i < 20; ++i) {
    auto group = rooms.create_group(ids_[0], {ids_[1], ids_[2], ids_[3]}, "room " + std::to_string(i), kNow);
    created.push_back(group.id);
    messages.append_batch({text(group.id, ids_[1], "hello " + std::to_string(i))}, kNow + std::chrono::seconds(i),
                          chat::sender_rule);
  }
  auto [one, first] = statements_for(1);
  auto [twenty, all] = statements_for(20);
  EXPECT_EQ(one, twenty);
  EXPECT_LE(twenty, 3u);
  ASSERT_EQ(all.size(), 20u);
  EXPECT_EQ(all.front().room.id, created.back());  // newest activity first
  EXPECT_EQ(all.front().last_message->body, "hello 19");
  EXPECT_EQ(all.front().member_count, 4u);
  EXPECT_EQ(all.front().preview.size(), 3u);
  EXPECT_EQ(all.front().my_read_seq, 0);
  EXPECT_EQ(all.front().room.last_seq, 1);

  auto next = rooms.list_for(ids_[0], room::ActivityCursor{all[9].room.last_activity_at, all[9].room.id}, 5, 3);
  ASSERT_EQ(next.size(), 5u);
  EXPECT_EQ(next.front().room.id, all[10].room.id);
}

INSTANTIATE_TEST_SUITE_P(Engines, RoomRepositoryTest, ::testing::Values(Engine::sqlite, Engine::mysql),
                         testing::engine_name);

}  // namespace
}  // namespace modu::storage

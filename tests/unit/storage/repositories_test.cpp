// The SQL repositories on SQLite and MariaDB alike.
#include "storage/sql_friend_repository.hpp"
#include "storage/sql_member_repository.hpp"
#include "storage/sql_refresh_token_repository.hpp"

#include "storage/migrations.hpp"
#include "support/databases.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace modu::storage {
namespace {

using testing::Engine;
using testing::ScratchDatabase;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795613705895));

class RepositoriesTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    MODU_REQUIRE_DATABASE(scratch_);
    database_ = std::make_unique<Database>(scratch_.url(), 4, 5000);
    migrate(*database_);
  }

  MemberId add(const std::string& email, const std::string& nickname) {
    return members().create({email, "hash", nickname, kNow})->id;
  }
  SqlMemberRepository members() { return SqlMemberRepository(*database_); }

  ScratchDatabase scratch_{GetParam()};
  std::unique_ptr<Database> database_;
};

TEST_P(RepositoriesTest, MembersRoundTripWithTheirTimes) {
  auto repository = members();
  auto created = repository.create({"a@example.com", "argon-hash", "앨리스 🐰", kNow});
  ASSERT_TRUE(created);
  EXPECT_EQ(created->email, "a@example.com");
  EXPECT_EQ(created->created_at, kNow);
  EXPECT_EQ(repository.find(created->id)->nickname, "앨리스 🐰");
  EXPECT_EQ(repository.find_credentials("a@example.com")->second, "argon-hash");
  auto taken = repository.create({"a@example.com", "x", "other", kNow});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().errc, Errc::conflict);
  EXPECT_FALSE(repository.find(MemberId(999999)));
}

TEST_P(RepositoriesTest, FindsManyInOneQueryAndByNicknamePrefixInOrder) {
  for (auto name : {"Bob", "bobby", "Boa", "Alice", "Bo", "Bob"})
    add(std::string(name) + std::to_string(std::rand()) + "@x.io", name);
  auto repository = members();
  auto page = repository.find_by_nickname_prefix("Bo", std::nullopt, 3);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].nickname, "Bo");
  EXPECT_EQ(page[1].nickname, "Boa");
  EXPECT_EQ(page[2].nickname, "Bob");
  auto rest = repository.find_by_nickname_prefix("Bo", member::NicknameCursor{page[2].nickname, page[2].id}, 10);
  ASSERT_EQ(rest.size(), 1u);  // the second Bob; "bobby" starts with a small b
  EXPECT_EQ(rest[0].nickname, "Bob");
  EXPECT_NE(rest[0].id, page[2].id);

  auto many = repository.find_many({MemberId(1), MemberId(3), MemberId(424242)});
  EXPECT_EQ(many.size(), 2u);
}

TEST_P(RepositoriesTest, ProfileUpdatesKeepImageHistoryNewestFirst) {
  const auto me = add("me@example.com", "me");
  auto repository = members();
  member::ProfilePatch patch;
  patch.status_message = "hello";
  patch.profile_image = std::optional<std::string>("img-1");
  auto later = kNow + std::chrono::seconds(5);
  auto updated = repository.update_profile(me, patch, later);
  EXPECT_EQ(updated.status_message, "hello");
  EXPECT_EQ(updated.profile_image, "img-1");
  EXPECT_EQ(updated.updated_at, later);

  member::ProfilePatch removal;
  removal.profile_image = std::optional<std::string>();
  updated = repository.update_profile(me, removal, later);
  EXPECT_FALSE(updated.profile_image);
  EXPECT_EQ(updated.status_message, "hello");

  member::ProfilePatch same_again;
  same_again.profile_image = std::optional<std::string>();
  same_again.status_message = "still hello";
  repository.update_profile(me, same_again, later);  // no image changes: no history

  auto history = repository.profile_history(me, std::nullopt, 10);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_FALSE(history[0].image);
  EXPECT_EQ(history[1].image, "img-1");
  EXPECT_EQ(repository.profile_history(me, history[0].id, 10).size(), 1u);
}

TEST_P(RepositoriesTest, RefreshTokensRotateOnceAndRevokeByFamily) {
  const auto me = add("me@example.com", "me");
  SqlRefreshTokenRepository tokens(*database_);
  tokens.add(me, "family-1", "hash-1", kNow, kNow + std::chrono::hours(24));
  auto first = tokens.find("hash-1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->member, me);
  EXPECT_EQ(first->expires_at, kNow + std::chrono::hours(24));
  EXPECT_FALSE(first->spent);
  EXPECT_TRUE(tokens.rotate(*first, "hash-2", kNow, kNow + std::chrono::hours(24)));
  EXPECT_FALSE(tokens.rotate(*first, "hash-3", kNow, kNow + std::chrono::hours(24)));  // only once
  EXPECT_TRUE(tokens.find("hash-1")->spent);
  EXPECT_FALSE(tokens.find("hash-3"));  // the loser added nothing
  EXPECT_EQ(tokens.find("hash-2")->family, "family-1");
  tokens.revoke_family("family-1", kNow);
  EXPECT_TRUE(tokens.find("hash-2")->revoked);
  EXPECT_FALSE(tokens.rotate(*tokens.find("hash-2"), "hash-4", kNow, kNow + std::chrono::hours(24)));
  EXPECT_FALSE(tokens.find("nothing"));
}

/// Of many reissues racing with one token exactly one rotates it.
TEST_P(RepositoriesTest, ConcurrentRotationsHaveOneWinner) {
  const auto me = add("me@example.com", "me");
  SqlRefreshTokenRepository tokens(*database_);
  tokens.add(me, "family", "hash-0", kNow, kNow + std::chrono::hours(24));
  const auto token = *tokens.find("hash-0");
  std::atomic<int> winners{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 8; ++i) {
    racers.emplace_back([&, i] {
      if (tokens.rotate(token, "next-" + std::to_string(i), kNow, kNow + std::chrono::hours(24))) ++winners;
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(winners.load(), 1);
}

/// Parallel profile edits on one member all succeed (SQLite once answered most of
/// them "database is locked") and each real image change is kept once.
TEST_P(RepositoriesTest, ParallelProfileEditsAllLand) {
  const auto me = add("me@example.com", "me");
  auto repository = members();
  std::atomic<int> failures{0};
  std::vector<std::thread> editors;
  for (int i = 0; i < 12; ++i) {
    editors.emplace_back([&, i] {
      try {
        member::ProfilePatch patch;
        patch.profile_image = std::optional<std::string>("img-" + std::to_string(i % 2));
        repository.update_profile(me, patch, kNow);
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& editor : editors) editor.join();
  EXPECT_EQ(failures.load(), 0);
  auto history = repository.profile_history(me, std::nullopt, 100);
  for (std::size_t i = 1; i < history.size(); ++i) EXPECT_NE(history[i].image, history[i - 1].image);
}

TEST_P(RepositoriesTest, FriendsByKindInNicknameOrder) {
  const auto me = add("me@example.com", "me");
  const auto zed = add("z@example.com", "Zed");
  const auto amy = add("a@example.com", "Amy");
  const auto kim = add("k@example.com", "Kim");
  SqlFriendRepository friends(*database_);
  EXPECT_TRUE(friends.add(me, zed, kNow, {}));
  EXPECT_FALSE(friends.add(me, zed, kNow, {}));  // twice is harmless
  EXPECT_TRUE(friends.add(me, amy, kNow, {}));
  EXPECT_TRUE(friends.add(me, kim, kNow, {}));

  auto all = friends.list(me, friends::Filter::all, std::nullopt, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].member.nickname, "Amy");
  EXPECT_EQ(all[2].member.nickname, "Zed");

  EXPECT_TRUE(friends.update(me, kim, {.favorite = true}));
  EXPECT_TRUE(friends.update(me, zed, {.hidden = true}));
  EXPECT_TRUE(friends.update(me, amy, {.blocked = true}));
  EXPECT_FALSE(friends.update(amy, me, {.favorite = true}));
  auto names = [&](friends::Filter filter) {
    std::vector<std::string> out;
    for (const auto& relation : friends.list(me, filter, std::nullopt, 10)) out.push_back(relation.member.nickname);
    return out;
  };
  EXPECT_EQ(names(friends::Filter::all), (std::vector<std::string>{"Kim"}));
  EXPECT_EQ(names(friends::Filter::favorite), (std::vector<std::string>{"Kim"}));
  EXPECT_EQ(names(friends::Filter::hidden), (std::vector<std::string>{"Zed"}));
  EXPECT_EQ(names(friends::Filter::blocked), (std::vector<std::string>{"Amy"}));
  EXPECT_TRUE(friends.blocks(me, amy));
  EXPECT_FALSE(friends.blocks(amy, me));

  auto after_amy = friends.list(me, friends::Filter::blocked, member::NicknameCursor{"Amy", amy}, 10);
  EXPECT_TRUE(after_amy.empty());
  EXPECT_TRUE(friends.remove(me, kim));
  EXPECT_FALSE(friends.remove(me, kim));
  EXPECT_FALSE(friends.find(me, kim));
}

INSTANTIATE_TEST_SUITE_P(Engines, RepositoriesTest, ::testing::Values(Engine::sqlite, Engine::mysql),
                         testing::engine_name);

}  // namespace
}  // namespace modu::storage

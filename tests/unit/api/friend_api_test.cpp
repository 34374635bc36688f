// The friend list and its kinds through the real pipeline, on both engines.
#include "support/api_client.hpp"

#include "domain/friend/block_rule.hpp"
#include "storage/sql_friend_repository.hpp"

#include <gtest/gtest.h>

namespace modu::testing {
namespace {

class FriendApiTest : public AppFixture {
 protected:
  std::vector<std::string> nicknames(const ApiClient& api, const std::string& query) {
    std::vector<std::string> out;
    auto reply = api.get("/api/v1/friends" + query);
    for (const auto& item : reply.json.at("items").as_array()) out.emplace_back(item.at("nickname").as_string());
    return out;
  }
};

TEST_P(FriendApiTest, AddByIdOrEmailOnceAndListByNickname) {
  auto me = client();
  const auto my_id = me.join("me@example.com", "me");
  std::map<std::string, std::int64_t> ids;
  for (auto name : {"Zed", "Amy", "Kim"}) {
    auto other = client();
    ids[name] = other.join(std::string(name) + "@example.com", name);
  }
  auto added = me.post("/api/v1/friends", {{"memberId", ids["Zed"]}});
  EXPECT_EQ(added.status, 201);
  EXPECT_EQ(added.json.at("nickname"), "Zed");
  EXPECT_EQ(added.json.at("favorite"), false);
  EXPECT_EQ(me.post("/api/v1/friends", {{"memberId", ids["Zed"]}}).status, 200);  // twice is harmless
  EXPECT_EQ(me.post("/api/v1/friends", {{"email", "AMY@example.com"}}).status, 201);
  EXPECT_EQ(me.post("/api/v1/friends", {{"memberId", ids["Kim"]}}).status, 201);

  EXPECT_EQ(nicknames(me, ""), (std::vector<std::string>{"Amy", "Kim", "Zed"}));
  auto page = me.get("/api/v1/friends?size=2");
  EXPECT_EQ(page.json.at("items").as_array().size(), 2u);
  auto rest = me.get("/api/v1/friends?size=2&cursor=" + std::string(page.json.at("nextCursor").as_string()));
  EXPECT_EQ(rest.json.at("items").at(0).at("nickname"), "Zed");

  EXPECT_EQ(me.post("/api/v1/friends", {{"memberId", my_id}}).status, 400);
  EXPECT_EQ(me.post("/api/v1/friends", {{"memberId", 987654}}).status, 404);
  EXPECT_EQ(me.post("/api/v1/friends", {{"email", "nobody@example.com"}}).status, 404);
  EXPECT_EQ(me.post("/api/v1/friends", boost::json::object{}).status, 400);
  EXPECT_EQ(me.post("/api/v1/friends", {{"memberId", ids["Amy"]}, {"email", "amy@example.com"}}).status, 400);
  EXPECT_EQ(me.post("/api/v1/friends", {{"memberId", "12"}}).status, 400);
  EXPECT_EQ(me.get("/api/v1/friends?type=enemies").status, 400);

  // Friendship is one-way: they did not add me.
  auto zed = client();
  zed.log_in("Zed@example.com", "correct horse");
  EXPECT_TRUE(nicknames(zed, "").empty());
}

TEST_P(FriendApiTest, FavoriteHiddenAndBlockedAreKindsOfTheRelation) {
  auto me = client();
  me.join("me@example.com", "me");
  std::map<std::string, std::int64_t> ids;
  for (auto name : {"Amy", "Kim", "Lee", "Zed"}) {
    auto other = client();
    ids[name] = other.join(std::string(name) + "@example.com", name);
    me.post("/api/v1/friends", {{"memberId", ids[name]}});
  }
  auto path = [&](const char* name) { return "/api/v1/friends/" + std::to_string(ids[name]); };
  EXPECT_EQ(me.patch(path("Kim"), {{"favorite", true}}).json.at("favorite"), true);
  EXPECT_EQ(me.patch(path("Zed"), {{"hidden", true}}).status, 200);
  EXPECT_EQ(me.patch(path("Amy"), {{"blocked", true}}).status, 200);

  EXPECT_EQ(nicknames(me, ""), (std::vector<std::string>{"Kim", "Lee"}));  // hidden and blocked leave it
  EXPECT_EQ(nicknames(me, "?type=all"), (std::vector<std::string>{"Kim", "Lee"}));
  EXPECT_EQ(nicknames(me, "?type=favorite"), (std::vector<std::string>{"Kim"}));
  EXPECT_EQ(nicknames(me, "?type=hidden"), (std::vector<std::string>{"Zed"}));
  EXPECT_EQ(nicknames(me, "?type=blocked"), (std::vector<std::string>{"Amy"}));

  EXPECT_EQ(me.patch(path("Zed"), {{"hidden", false}}).status, 200);
  EXPECT_EQ(nicknames(me, ""), (std::vector<std::string>{"Kim", "Lee", "Zed"}));

  EXPECT_EQ(me.patch(path("Lee"), boost::json::object{}).status, 400);
  EXPECT_EQ(me.patch(path("Lee"), {{"favorite", "yes"}}).status, 400);
  EXPECT_EQ(me.patch("/api/v1/friends/987654", {{"favorite", true}}).status, 404);

  EXPECT_EQ(me.del(path("Lee")).status, 204);
  EXPECT_EQ(me.del(path("Lee")).status, 404);
  EXPECT_EQ(me.patch(path("Lee"), {{"favorite", true}}).status, 404);
  EXPECT_EQ(nicknames(me, ""), (std::vector<std::string>{"Kim", "Zed"}));
}

TEST_P(FriendApiTest, AStrangerCanBeBlockedAndTheRuleSaysTheyCannotReachMe) {
  auto me = client();
  const auto my_id = me.join("me@example.com", "me");
  auto stranger = client();
  const auto stranger_id = stranger.join("stranger@example.com", "stranger");

  auto blocked = me.patch("/api/v1/friends/" + std::to_string(stranger_id), {{"blocked", true}});
  ASSERT_EQ(blocked.status, 200);
  EXPECT_EQ(blocked.json.at("blocked"), true);
  EXPECT_EQ(nicknames(me, "?type=blocked"), (std::vector<std::string>{"stranger"}));

  storage::SqlFriendRepository repository(app_->database());
  friends::BlockRule rule(repository);
  auto reach = rule.check_can_reach(MemberId(stranger_id), MemberId(my_id));
  ASSERT_FALSE(reach);
  EXPECT_EQ(reach.error().errc, Errc::forbidden);
  EXPECT_TRUE(rule.check_can_reach(MemberId(my_id), MemberId(stranger_id)));  // I can still reach them

  me.patch("/api/v1/friends/" + std::to_string(stranger_id), {{"blocked", false}});
  EXPECT_TRUE(rule.check_can_reach(MemberId(stranger_id), MemberId(my_id)));
}

INSTANTIATE_TEST_SUITE_P(Engines, FriendApiTest, ::testing::Values(Engine::sqlite, Engine::mysql), engine_name);

}  // namespace
}  // namespace modu::testing

// Profiles, their history and look-ups through the real pipeline, on both engines.
#include "support/api_client.hpp"

#include <gtest/gtest.h>

namespace modu::testing {
namespace {

class MemberApiTest : public AppFixture {};

TEST_P(MemberApiTest, EditMyProfileAndReadItsHistoryNewestFirst) {
  auto me = client();
  const auto id = me.join("me@example.com", "me");
  auto edited = me.patch("/api/v1/members/me", {{"nickname", " New name "},
                                                {"statusMessage", "hello"},
                                                {"profileImage", "media/1"},
                                                {"backgroundImage", "media/2"}});
  ASSERT_EQ(edited.status, 200) << boost::json::serialize(edited.json);
  EXPECT_EQ(edited.json.at("nickname"), "New name");
  EXPECT_EQ(edited.json.at("statusMessage"), "hello");
  EXPECT_EQ(edited.json.at("profileImage"), "media/1");
  clock_->advance(std::chrono::minutes(1));
  me.patch("/api/v1/members/me", {{"profileImage", "media/3"}});
  clock_->advance(std::chrono::minutes(1));
  auto removed = me.patch("/api/v1/members/me", {{"profileImage", nullptr}});
  EXPECT_TRUE(removed.json.at("profileImage").is_null());
  EXPECT_EQ(removed.json.at("backgroundImage"), "media/2");
  me.patch("/api/v1/members/me", {{"statusMessage", "only text"}});  // no image change, no history

  const auto base = "/api/v1/members/" + std::to_string(id) + "/profiles";
  auto first = me.get(base + "?size=2");
  ASSERT_EQ(first.status, 200);
  auto& items = first.json.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_TRUE(items[0].at("image").is_null());
  EXPECT_EQ(items[0].at("kind"), "profile");
  EXPECT_EQ(items[1].at("image"), "media/3");
  ASSERT_TRUE(first.json.at("nextCursor").is_string());
  auto second = me.get(base + "?size=2&cursor=" + std::string(first.json.at("nextCursor").as_string()));
  auto& rest = second.json.at("items").as_array();
  ASSERT_EQ(rest.size(), 2u);  // the first edit changed both images
  EXPECT_TRUE(second.json.at("nextCursor").is_null());

  EXPECT_EQ(me.get(base + "?cursor=garbage").status, 400);
  EXPECT_EQ(me.get(base + "?size=0").status, 400);
  EXPECT_EQ(me.get(base + "?size=500").status, 200);  // capped, not refused
}

TEST_P(MemberApiTest, ProfileBadInput) {
  auto me = client();
  me.join("me@example.com", "me");
  for (const auto& bad : std::vector<boost::json::value>{
           {{"nickname", ""}},
           {{"nickname", std::string(31, 'x')}},
           {{"nickname", 7}},
           {{"statusMessage", std::string(61, 's')}},
           {{"statusMessage", "tab\there"}},
           {{"profileImage", 5}},
           {{"backgroundImage", std::string(2000, 'i')}},
       }) {
    auto reply = me.patch("/api/v1/members/me", bad);
    EXPECT_EQ(reply.status, 400) << boost::json::serialize(bad);
    EXPECT_EQ(reply.code(), "VALIDATION_FAILED") << boost::json::serialize(bad);
  }
  EXPECT_EQ(me.get("/api/v1/members/me").json.at("nickname"), "me");  // nothing was lost
}

TEST_P(MemberApiTest, OthersSeeMyProfileButNotMyEmail) {
  auto me = client();
  const auto my_id = me.join("me@example.com", "me");
  auto other = client();
  other.join("other@example.com", "other");
  auto seen = other.get("/api/v1/members/" + std::to_string(my_id));
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(seen.json.at("nickname"), "me");
  EXPECT_FALSE(seen.json.as_object().contains("email"));
  EXPECT_TRUE(me.get("/api/v1/members/" + std::to_string(my_id)).json.as_object().contains("email"));
  EXPECT_EQ(other.get("/api/v1/members/987654").status, 404);
  EXPECT_EQ(other.get("/api/v1/members/abc").status, 400);  // not an id at all
  EXPECT_EQ(other.get("/api/v1/members/987654/profiles").status, 404);
}

TEST_P(MemberApiTest, LookUpByEmailNicknamePrefixAndIds) {
  auto me = client();
  me.join("me@example.com", "zz me");
  std::vector<std::int64_t> ids;
  for (auto name : {"Kim A", "Kim B", "Kim C", "Lee"}) {
    auto other = client();
    ids.push_back(other.join(std::string(name).substr(0, 3) + std::to_string(ids.size()) + "@example.com", name));
  }
  auto by_email = me.get("/api/v1/members?email=KIM0@example.com");
  ASSERT_EQ(by_email.json.at("items").as_array().size(), 1u);
  EXPECT_EQ(by_email.json.at("items").at(0).at("nickname"), "Kim A");
  EXPECT_TRUE(me.get("/api/v1/members?email=nobody@example.com").json.at("items").as_array().empty());

  auto page = me.get("/api/v1/members?nickname=Kim&size=2");
  ASSERT_EQ(page.json.at("items").as_array().size(), 2u);
  EXPECT_EQ(page.json.at("items").at(1).at("nickname"), "Kim B");
  auto next =
      me.get("/api/v1/members?nickname=Kim&size=2&cursor=" + std::string(page.json.at("nextCursor").as_string()));
  ASSERT_EQ(next.json.at("items").as_array().size(), 1u);
  EXPECT_EQ(next.json.at("items").at(0).at("nickname"), "Kim C");
  EXPECT_TRUE(next.json.at("nextCursor").is_null());
  EXPECT_EQ(me.get("/api/v1/members?nickname=Kim%20B").json.at("items").as_array().size(), 1u);

  auto batch = me.get("/api/v1/members?ids=" + std::to_string(ids[0]) + "," + std::to_string(ids[3]) + ",99999");
  EXPECT_EQ(batch.json.at("items").as_array().size(), 2u);

  std::string many = "1";
  for (int i = 2; i <= 101; ++i) many += "," + std::to_string(i);
  EXPECT_EQ(me.get("/api/v1/members?ids=" + many).status, 400);
  EXPECT_EQ(me.get("/api/v1/members?ids=1,x").status, 400);
  EXPECT_EQ(me.get("/api/v1/members").status, 400);
  EXPECT_EQ(me.get("/api/v1/members?email=a@b.co&nickname=x").status, 400);
  EXPECT_EQ(me.get("/api/v1/members?email=not-an-email").status, 400);
}

INSTANTIATE_TEST_SUITE_P(Engines, MemberApiTest, ::testing::Values(Engine::sqlite, Engine::mysql), engine_name);

}  // namespace
}  // namespace modu::testing

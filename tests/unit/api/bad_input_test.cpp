// Every endpoint that reads a body, fed what clients get wrong: each gets a clear error
// and nothing changes. One engine is enough here: no row is written.
#include "support/api_client.hpp"

#include <gtest/gtest.h>

namespace modu::testing {
namespace {

struct Row {
  http::Method method;
  std::string target;
  std::string body;
  int status;
  std::string code;
};

class BadInputTest : public AppFixture {};

TEST_P(BadInputTest, EveryBodyEndpointAnswersBadInputClearly) {
  auto me = client();
  me.join("me@example.com", "me");
  auto other = client();
  const auto other_id = std::to_string(other.join("other@example.com", "other"));
  me.post("/api/v1/friends", {{"memberId", std::stoll(other_id)}});

  using http::Method;
  const std::string friend_path = "/api/v1/friends/" + other_id;
  const std::vector<Row> table{
      {Method::post, "/api/v1/auth/login", "", 400, "MALFORMED_JSON"},
      {Method::post, "/api/v1/auth/login", "{\"email\":", 400, "MALFORMED_JSON"},
      {Method::post, "/api/v1/auth/login", R"({"email":"me@example.com"})", 400, "VALIDATION_FAILED"},
      {Method::post, "/api/v1/auth/login", R"({"email":["me@example.com"],"password":"x"})", 400, "VALIDATION_FAILED"},
      {Method::post, "/api/v1/auth/login", R"({"email":"me@example.com","password":12345678})", 400,
       "VALIDATION_FAILED"},
      {Method::post, "/api/v1/auth/reissue", "{}", 400, "VALIDATION_FAILED"},
      {Method::post, "/api/v1/auth/reissue", R"({"refreshToken":42})", 400, "VALIDATION_FAILED"},
      {Method::post, "/api/v1/auth/reissue", "nonsense", 400, "MALFORMED_JSON"},
      {Method::patch, "/api/v1/members/me", "", 400, "MALFORMED_JSON"},
      {Method::patch, "/api/v1/members/me", "[1]", 400, "VALIDATION_FAILED"},
      {Method::patch, "/api/v1/members/me", R"({"nickname":null,"statusMessage":true})", 400, "VALIDATION_FAILED"},
      {Method::post, "/api/v1/friends", "{", 400, "MALFORMED_JSON"},
      {Method::post, "/api/v1/friends", R"({"memberId":1.5})", 400, "VALIDATION_FAILED"},
      {Method::post, "/api/v1/friends", R"({"memberId":-3})", 404, "NOT_FOUND"},
      {Method::post, "/api/v1/friends", R"({"email":"not an email"})", 400, "VALIDATION_FAILED"},
      {Method::patch, friend_path, R"({"hidden":"true"})", 400, "VALIDATION_FAILED"},
      {Method::patch, friend_path, R"({"blocked":1})", 400, "VALIDATION_FAILED"},
      {Method::patch, friend_path, "{}", 400, "VALIDATION_FAILED"},
      {Method::delete_, "/api/v1/friends/not-a-number", "", 400, "VALIDATION_FAILED"},
      {Method::get, "/api/v1/friends?size=-1", "", 400, "VALIDATION_FAILED"},
      {Method::get, "/api/v1/friends?size=ten", "", 400, "VALIDATION_FAILED"},
      {Method::get, "/api/v1/friends?cursor=%21%21", "", 400, "VALIDATION_FAILED"},
      {Method::get, "/api/v1/friends?cursor=WzFd", "", 400, "VALIDATION_FAILED"},  // base64url of [1]
  };
  for (const auto& row : table) {
    std::map<std::string, std::string> headers{{"authorization", "Bearer " + me.token}};
    if (!row.body.empty()) headers["content-type"] = "application/json";
    auto response = call(pipeline(), {row.method, row.target, row.body, headers});
    const auto label = std::string(http::method_name(row.method)) + " " + row.target + " " + row.body;
    EXPECT_EQ(response.status, row.status) << label;
    auto json = json_of(response);
    EXPECT_EQ(json.at("code").as_string(), row.code) << label;
    EXPECT_FALSE(json.at("message").as_string().empty()) << label;
  }
  // Nothing was lost or changed on the way.
  EXPECT_EQ(me.get("/api/v1/members/me").json.at("nickname"), "me");
  auto friends = me.get("/api/v1/friends");
  ASSERT_EQ(friends.json.at("items").as_array().size(), 1u);
  EXPECT_EQ(friends.json.at("items").at(0).at("hidden"), false);
}

INSTANTIATE_TEST_SUITE_P(Engines, BadInputTest, ::testing::Values(Engine::sqlite), engine_name);

}  // namespace
}  // namespace modu::testing

// Sign-up, login, tokens and their lifecycle through the real pipeline, on both engines.
#include "support/api_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace modu::testing {
namespace {

using http::Method;

class AuthApiTest : public AppFixture {};

TEST_P(AuthApiTest, SignUpNormalizesAndRefusesATakenEmail) {
  auto api = client();
  auto created = api.post("/api/v1/auth/signup",
                          {{"email", "Alice@Example.COM"}, {"password", "12345678"}, {"nickname", "  앨리스 🐰 "}});
  ASSERT_EQ(created.status, 201) << boost::json::serialize(created.json);
  EXPECT_EQ(created.json.at("email"), "alice@example.com");
  EXPECT_EQ(created.json.at("nickname"), "앨리스 🐰");
  EXPECT_EQ(created.json.at("createdAt"), "2026-11-25T13:35:05.895Z");
  EXPECT_EQ(header_of(created.raw, "Location"), "/api/v1/members/" + std::to_string(created.json.at("id").as_int64()));
  EXPECT_FALSE(created.json.as_object().contains("password"));

  auto again =
      api.post("/api/v1/auth/signup", {{"email", "alice@example.com"}, {"password", "12345678"}, {"nickname", "x"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.code(), "CONFLICT");
}

struct BadSignUp {
  std::string name;
  std::string body;
  int status;
  std::string code;
};

TEST_P(AuthApiTest, SignUpBadInputTable) {
  const std::string ok_email = R"("email":"a@b.co")";
  const std::string ok_password = R"("password":"12345678")";
  const std::string ok_nickname = R"("nickname":"nick")";
  auto body = [](std::initializer_list<std::string> fields) {
    std::string out = "{";
    for (const auto& field : fields) out += (out.size() > 1 ? "," : "") + field;
    return out + "}";
  };
  const std::vector<BadSignUp> table{
      {"not json", "{email:", 400, "MALFORMED_JSON"},
      {"not an object", "[]", 400, "VALIDATION_FAILED"},
      {"no email", body({ok_password, ok_nickname}), 400, "VALIDATION_FAILED"},
      {"no password", body({ok_email, ok_nickname}), 400, "VALIDATION_FAILED"},
      {"no nickname", body({ok_email, ok_password}), 400, "VALIDATION_FAILED"},
      {"email a number", body({R"("email":5)", ok_password, ok_nickname}), 400, "VALIDATION_FAILED"},
      {"email without @", body({R"("email":"ab.co")", ok_password, ok_nickname}), 400, "VALIDATION_FAILED"},
      {"email two @", body({R"("email":"a@b@c.co")", ok_password, ok_nickname}), 400, "VALIDATION_FAILED"},
      {"email no dot", body({R"("email":"a@b")", ok_password, ok_nickname}), 400, "VALIDATION_FAILED"},
      {"email with space", body({R"("email":"a b@c.co")", ok_password, ok_nickname}), 400, "VALIDATION_FAILED"},
      {"password short", body({ok_email, R"("password":"1234567")", ok_nickname}), 400, "VALIDATION_FAILED"},
      {"password long", body({ok_email, R"("password":")" + std::string(129, 'p') + "\"", ok_nickname}), 400,
       "VALIDATION_FAILED"},
      {"password null", body({ok_email, R"("password":null)", ok_nickname}), 400, "VALIDATION_FAILED"},
      {"nickname blank", body({ok_email, ok_password, R"("nickname":"   ")"}), 400, "VALIDATION_FAILED"},
      {"nickname long", body({ok_email, ok_password, R"("nickname":")" + std::string(31, 'n') + "\""}), 400,
       "VALIDATION_FAILED"},
      {"nickname control", body({ok_email, ok_password, R"("nickname":"a\u0007b")"}), 400, "VALIDATION_FAILED"},
      {"nickname array", body({ok_email, ok_password, R"("nickname":["x"])"}), 400, "VALIDATION_FAILED"},
  };
  for (const auto& row : table) {
    auto response =
        call(pipeline(), {Method::post, "/api/v1/auth/signup", row.body, {{"content-type", "application/json"}}});
    EXPECT_EQ(response.status, row.status) << row.name;
    EXPECT_EQ(json_of(response).at("code").as_string(), row.code) << row.name;
  }
  auto wrong_type = call(pipeline(), {Method::post,
                                      "/api/v1/auth/signup",
                                      body({ok_email, ok_password, ok_nickname}),
                                      {{"content-type", "text/plain"}}});
  EXPECT_EQ(wrong_type.status, 415);
  // Thirty characters is fine, even in Korean: characters, not bytes.
  auto thirty = call(pipeline(), {Method::post,
                                  "/api/v1/auth/signup",
                                  body({ok_email, ok_password,
                                        R"("nickname":")" +
                                            [] {
                                              std::string s;
                                              for (int i = 0; i < 30; ++i) s += "가";
                                              return s;
                                            }() +
                                            "\""}),
                                  {{"content-type", "application/json"}}});
  EXPECT_EQ(thirty.status, 201);
}

/// Hashing is slow on purpose: sign-ups and logins run on threads of their own, so that a
/// burst of them cannot hold up every other request, and is not held up by them either.
TEST_P(AuthApiTest, SignUpAndLoginRunApartFromTheWorkerPool) {
  auto& workers = app_->stomp_services().workers;
  const auto threads = app_->config().storage.worker_threads;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<unsigned> busy = 0;
  for (unsigned i = 0; i < threads; ++i)
    workers.post([released, &busy] {
      ++busy;
      released.wait();
    });
  while (busy < threads) std::this_thread::yield();
  // Should the routes still need the pool, they would wait: this lets them finish, late.
  std::promise<void> finished;
  std::thread deadline([release = std::move(release), finished = finished.get_future()]() mutable {
    finished.wait_for(std::chrono::seconds(10));
    release.set_value();
  });

  auto api = client();
  api.join("me@example.com", "me", "my password");
  EXPECT_EQ(api.log_in("me@example.com", "my password").status, 200);
  EXPECT_EQ(released.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "sign-up and login waited for the worker pool";
  finished.set_value();
  deadline.join();
}

TEST_P(AuthApiTest, LoginGivesTokensThatOpenMemberRoutes) {
  auto api = client();
  const auto id = api.join("me@example.com", "me", "my password");
  auto login = api.log_in("ME@example.com", "my password");
  ASSERT_EQ(login.status, 200);
  EXPECT_EQ(login.json.at("tokenType"), "Bearer");
  EXPECT_EQ(login.json.at("expiresIn"), 900);
  EXPECT_EQ(login.json.at("member").at("id"), id);

  auto me = api.get("/api/v1/members/me");
  EXPECT_EQ(me.status, 200);
  auto check = api.get("/api/v1/auth/check");
  EXPECT_EQ(check.status, 200);
  EXPECT_EQ(header_of(check.raw, "X-Member-Id"), std::to_string(id));

  // The scheme's name is case-insensitive (RFC 9110): a client may send it in lower case.
  const auto lower_case =
      api.send(http::Method::get, "/api/v1/members/me", std::nullopt, {{"authorization", "bearer " + api.token}});
  EXPECT_EQ(lower_case.status, 200);

  ApiClient anonymous = client();
  EXPECT_EQ(anonymous.get("/api/v1/members/me").status, 401);
  EXPECT_EQ(anonymous.get("/api/v1/auth/check").status, 401);
  EXPECT_EQ(header_of(anonymous.get("/api/v1/friends").raw, "WWW-Authenticate"), "Bearer");
  anonymous.token = "not.a.jwt";
  EXPECT_EQ(anonymous.get("/api/v1/members/me").status, 401);
  // A token signed with another secret.
  anonymous.token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJleHAiOjQ5NTU2MTY4MzQsImlhdCI6MTc5NTYxNTkzNCwianRpIjoieCIsInNpZCI6InkiLCJzdWIiOiIxIn0."
      "3d0r8Xw5F1U9QmPpYV0N8C1oZy0ZkZ5dGmQ6V9c5m8E";
  EXPECT_EQ(anonymous.get("/api/v1/members/me").status, 401);
  // "alg": "none"
  anonymous.token =
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJleHAiOjQ5NTU2MTY4MzQsImp0aSI6IngiLCJzaWQiOiJ5Iiwic3ViIjoiMSJ9.";
  EXPECT_EQ(anonymous.get("/api/v1/members/me").status, 401);
}

TEST_P(AuthApiTest, WrongPasswordAndUnknownEmailLookTheSame) {
  auto api = client();
  api.join("me@example.com", "me", "my password");
  auto wrong = api.log_in("me@example.com", "not my password");
  auto unknown = api.log_in("nobody@example.com", "my password");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.json.at("message"), unknown.json.at("message"));
}

TEST_P(AuthApiTest, AccessTokensExpireAndReissueKeepsTheSessionAlive) {
  auto api = client();
  api.join("me@example.com", "me");
  clock_->advance(std::chrono::minutes(14));
  EXPECT_EQ(api.get("/api/v1/members/me").status, 200);
  clock_->advance(std::chrono::minutes(2));
  auto expired = api.get("/api/v1/members/me");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.json.at("message"), "the access token has expired");

  auto reissued = api.post("/api/v1/auth/reissue", {{"refreshToken", api.refresh_token}});
  ASSERT_EQ(reissued.status, 200);
  EXPECT_NE(reissued.json.at("refreshToken").as_string(), api.refresh_token);
  api.token = std::string(reissued.json.at("accessToken").as_string());
  EXPECT_EQ(api.get("/api/v1/members/me").status, 200);
}

TEST_P(AuthApiTest, ARefreshTokenExpiresAfterFourteenDays) {
  auto api = client();
  api.join("me@example.com", "me");
  clock_->advance(std::chrono::hours(24 * 14) + std::chrono::seconds(1));
  EXPECT_EQ(api.post("/api/v1/auth/reissue", {{"refreshToken", api.refresh_token}}).status, 401);
}

TEST_P(AuthApiTest, ReusingASpentRefreshTokenRevokesTheWholeSession) {
  auto victim = client();
  victim.join("me@example.com", "me");
  const auto stolen = victim.refresh_token;

  auto rotated = victim.post("/api/v1/auth/reissue", {{"refreshToken", stolen}});
  ASSERT_EQ(rotated.status, 200);
  victim.token = std::string(rotated.json.at("accessToken").as_string());
  const auto current = std::string(rotated.json.at("refreshToken").as_string());

  auto thief = victim.post("/api/v1/auth/reissue", {{"refreshToken", stolen}});
  EXPECT_EQ(thief.status, 401);
  // The family is gone: neither the newest refresh token nor its access token work.
  EXPECT_EQ(victim.post("/api/v1/auth/reissue", {{"refreshToken", current}}).status, 401);
  EXPECT_EQ(victim.get("/api/v1/members/me").status, 401);
  // Another session of the same member is untouched.
  auto other = client();
  EXPECT_EQ(other.log_in("me@example.com", "correct horse").status, 200);
  EXPECT_EQ(other.get("/api/v1/members/me").status, 200);
}

TEST_P(AuthApiTest, LogoutLocksTheSessionOut) {
  auto api = client();
  api.join("me@example.com", "me");
  auto second_access = api.post("/api/v1/auth/reissue", {{"refreshToken", api.refresh_token}});
  api.refresh_token = std::string(second_access.json.at("refreshToken").as_string());
  const auto older_access = api.token;
  api.token = std::string(second_access.json.at("accessToken").as_string());

  EXPECT_EQ(api.post("/api/v1/auth/logout", boost::json::object{}).status, 204);
  EXPECT_EQ(api.get("/api/v1/members/me").status, 401);
  EXPECT_EQ(api.post("/api/v1/auth/reissue", {{"refreshToken", api.refresh_token}}).status, 401);
  api.token = older_access;  // an access token of the same session, issued earlier
  EXPECT_EQ(api.get("/api/v1/members/me").status, 401);
  EXPECT_EQ(api.post("/api/v1/auth/reissue", {{"refreshToken", "made-up"}}).status, 401);
}

TEST_P(AuthApiTest, RepeatedFailuresAreThrottledWithRetryAfter) {
  auto api = client();
  api.join("me@example.com", "me", "my password");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(api.log_in("me@example.com", "wrong").status, 401);
  auto throttled = api.log_in("me@example.com", "my password");  // even the right one, for now
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.code(), "TOO_MANY_REQUESTS");
  EXPECT_EQ(header_of(throttled.raw, "Retry-After"), "300");
  clock_->advance(std::chrono::seconds(120));
  EXPECT_EQ(header_of(api.log_in("me@example.com", "my password").raw, "Retry-After"), "180");
  clock_->advance(std::chrono::seconds(181));
  EXPECT_EQ(api.log_in("me@example.com", "my password").status, 200);
}

TEST_P(AuthApiTest, OneAddressTryingManyEmailsIsThrottledToo) {
  auto api = client();
  for (int i = 0; i < 20; ++i) api.log_in("someone" + std::to_string(i) + "@example.com", "guess");
  auto throttled = api.log_in("another@example.com", "guess");
  EXPECT_EQ(throttled.status, 429);
  EXPECT_TRUE(header_of(throttled.raw, "Retry-After"));
}

INSTANTIATE_TEST_SUITE_P(Engines, AuthApiTest, ::testing::Values(Engine::sqlite, Engine::mysql), engine_name);

}  // namespace
}  // namespace modu::testing

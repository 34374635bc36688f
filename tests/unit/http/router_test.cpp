#include "http/router.hpp"

#include <gtest/gtest.h>

namespace modu::http {
namespace {

Handler named(std::string) {
  return [](Request&) -> boost::asio::awaitable<Reply> { co_return Response::no_content(); };
}

Router sample() {
  Router router;
  router.add(Method::get, "/api/v1/rooms", Access::open, named("list"));
  router.add(Method::post, "/api/v1/rooms", Access::open, named("create"));
  router.add(Method::get, "/api/v1/rooms/{roomId}", Access::open, named("one"));
  router.add(Method::get, "/api/v1/rooms/{roomId}/messages/count", Access::open, named("count"));
  router.add(Method::get, "/api/v1/members/me", Access::open, named("me"));
  router.add(Method::get, "/api/v1/members/{roomId}", Access::open, named("member"));
  router.add(Method::get, "/swagger-ui/", Access::open, named("index"));
  return router;
}

TEST(Router, MatchesLiteralsAndCapturesParameters) {
  auto router = sample();
  auto match = router.match(Method::get, "/api/v1/rooms/42/messages/count");
  auto* found = std::get_if<Router::Found>(&match);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->route->pattern, "/api/v1/rooms/{roomId}/messages/count");
  ASSERT_EQ(found->params.size(), 1u);
  EXPECT_EQ(found->params[0].first, "roomId");
  EXPECT_EQ(found->params[0].second, "42");
}

TEST(Router, LiteralSegmentWinsOverAParameter) {
  auto router = sample();
  auto match = router.match(Method::get, "/api/v1/members/me");
  EXPECT_EQ(std::get<Router::Found>(match).route->pattern, "/api/v1/members/me");
  match = router.match(Method::get, "/api/v1/members/7");
  EXPECT_EQ(std::get<Router::Found>(match).route->pattern, "/api/v1/members/{roomId}");
}

TEST(Router, UnknownPathsAreNotFound) {
  auto router = sample();
  for (const char* path :
       {"/", "/api", "/api/v1/rooms/1/x", "/api/v1/rooms//messages/count", "/swagger-ui", "/api/v1/rooms/"}) {
    EXPECT_TRUE(std::holds_alternative<Router::NotFound>(router.match(Method::get, path))) << path;
  }
}

TEST(Router, WrongMethodListsTheAllowedOnes) {
  auto router = sample();
  auto match = router.match(Method::delete_, "/api/v1/rooms");
  auto* not_allowed = std::get_if<Router::MethodNotAllowed>(&match);
  ASSERT_NE(not_allowed, nullptr);
  EXPECT_EQ(not_allowed->allowed, (std::vector<Method>{Method::get, Method::head, Method::post}));
}

TEST(Router, HeadIsAnsweredByGet) {
  auto router = sample();
  EXPECT_TRUE(std::holds_alternative<Router::Found>(router.match(Method::head, "/api/v1/rooms")));
}

TEST(Router, RefusesDuplicatesAndClashingParameterNames) {
  auto router = sample();
  EXPECT_THROW(router.add(Method::get, "/api/v1/rooms", Access::open, named("again")), std::logic_error);
  EXPECT_THROW(router.add(Method::get, "/api/v1/rooms/{id}/members", Access::open, named("clash")), std::logic_error);
  EXPECT_THROW(router.add(Method::get, "no-slash", Access::open, named("bad")), std::logic_error);
}

}  // namespace
}  // namespace modu::http

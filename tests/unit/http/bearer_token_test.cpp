// The Authorization header's bearer token, as REST and STOMP CONNECT read it.
#include "http/bearer_token.hpp"

#include <gtest/gtest.h>

namespace modu::http {
namespace {

TEST(BearerToken, TheSchemeIsCaseInsensitiveAndTheTokenFollowsItsSpaces) {
  EXPECT_EQ(bearer_token("Bearer abc.def"), "abc.def");
  EXPECT_EQ(bearer_token("bearer abc.def"), "abc.def");  // as an OAuth token_type says it
  EXPECT_EQ(bearer_token("BEARER abc.def"), "abc.def");
  EXPECT_EQ(bearer_token("Bearer   abc.def"), "abc.def");
}

TEST(BearerToken, AnotherSchemeOrNoTokenIsNone) {
  for (const auto* value : {"", "Bearer", "Bearer ", "Bearer    ", "Bearerabc", "Basic YWJjOmRlZg==", "Bearer\tabc",
                            "Bearing abc", "Token abc"}) {
    EXPECT_EQ(bearer_token(value), std::nullopt) << '"' << value << '"';
  }
}

}  // namespace
}  // namespace modu::http

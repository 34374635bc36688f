// If-None-Match as caches send it: weak tags, lists and `*`.
#include "http/entity_tag.hpp"

#include <gtest/gtest.h>

namespace modu::http {
namespace {

constexpr std::string_view kTag = R"("5f2a")";

TEST(NoneMatchNames, TheTagItselfItsWeakFormAListOrAStar) {
  for (const auto* value :
       {R"("5f2a")", R"(W/"5f2a")", R"("old", "5f2a")", R"("old",W/"5f2a")", "*", " * ", R"( , "5f2a" ,)"}) {
    EXPECT_TRUE(none_match_names(value, kTag)) << value;
  }
}

TEST(NoneMatchNames, AnotherTagOrAMalformedValueNamesNothing) {
  for (const auto* value :
       {"", R"("5f2b")", R"("5f2a)", "5f2a", R"(W/5f2a)", R"("a,b")", R"(** )", R"(x, "5f2a")", R"("5F2A")"}) {
    EXPECT_FALSE(none_match_names(value, kTag)) << value;
  }
}

TEST(NoneMatchNames, ACommaInsideATagIsPartOfIt) {
  EXPECT_TRUE(none_match_names(R"("a,b", "x")", R"("a,b")"));
  EXPECT_FALSE(none_match_names(R"("a,b")", R"("b")"));
}

}  // namespace
}  // namespace modu::http

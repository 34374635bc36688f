#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace modu {
namespace {

TEST(Errors, EveryErrcHasItsOwnCodeAndAnErrorStatus) {
  std::set<std::string_view> codes;
  for (int i = 0; i <= static_cast<int>(Errc::internal); ++i) {
    const auto& info = describe(static_cast<Errc>(i));
    EXPECT_GE(info.http_status, 400) << info.code;
    EXPECT_LT(info.http_status, 600) << info.code;
    EXPECT_TRUE(codes.insert(info.code).second) << "duplicate code " << info.code;
    for (char c : info.code) EXPECT_TRUE(std::isupper(static_cast<unsigned char>(c)) || c == '_') << info.code;
  }
}

TEST(Errors, StatusesFollowTheContract) {
  EXPECT_EQ(describe(Errc::malformed_json).http_status, 400);
  EXPECT_EQ(describe(Errc::validation_failed).http_status, 400);
  EXPECT_EQ(describe(Errc::unauthorized).http_status, 401);
  EXPECT_EQ(describe(Errc::forbidden).http_status, 403);
  EXPECT_EQ(describe(Errc::not_found).http_status, 404);
  EXPECT_EQ(describe(Errc::conflict).http_status, 409);
  EXPECT_EQ(describe(Errc::payload_too_large).http_status, 413);
  EXPECT_EQ(describe(Errc::too_many_requests).http_status, 429);
  EXPECT_EQ(describe(Errc::internal).code, "INTERNAL_ERROR");
}

TEST(Errors, ResultCarriesTheErrorAsAValue) {
  Result<int> failed = Error::not_found("no such room");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().errc, Errc::not_found);
  EXPECT_THROW(failed.value(), ErrorException);
  Result<int> fine = 7;
  EXPECT_EQ(*fine, 7);
}

}  // namespace
}  // namespace modu

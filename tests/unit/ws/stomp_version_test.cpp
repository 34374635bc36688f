#include "ws/stomp/version.hpp"

#include <gtest/gtest.h>

namespace modu::stomp {
namespace {

TEST(StompVersion, PicksTheHighestSupported) {
  EXPECT_EQ(negotiate_version("1.2").value(), "1.2");
  EXPECT_EQ(negotiate_version("1.0,1.1,1.2").value(), "1.2");
  EXPECT_EQ(negotiate_version("1.2,1.1").value(), "1.2");
  EXPECT_EQ(negotiate_version("1.0,1.1,2.0").value(), "1.1");
  EXPECT_EQ(negotiate_version("1.1").value(), "1.1");
  EXPECT_EQ(negotiate_version("1.1, 1.2").value(), "1.2");  // spaces are forgiven
}

TEST(StompVersion, RefusesWithoutACommonVersion) {
  for (std::optional<std::string_view> offer :
       {std::optional<std::string_view>(), std::optional<std::string_view>("1.0"),
        std::optional<std::string_view>("2.0"), std::optional<std::string_view>(""),
        std::optional<std::string_view>("1.12,11.2")}) {
    auto version = negotiate_version(offer);
    ASSERT_FALSE(version) << offer.value_or("(absent)");
    EXPECT_EQ(version.error().errc, Errc::bad_request);
    EXPECT_EQ(version.error().message, "supported protocol versions are 1.1 and 1.2");
  }
  EXPECT_EQ(kSupportedVersions, "1.1,1.2");
}

}  // namespace
}  // namespace modu::stomp

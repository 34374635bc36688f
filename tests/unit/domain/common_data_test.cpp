#include "domain/common/common_data.hpp"

#include <gtest/gtest.h>

namespace modu::common {
namespace {

TEST(CommonData, FixedAndProducedValues) {
  CommonData common;
  int calls = 0;
  common.add("version", boost::json::value("1.2.3"));
  common.add("counter", [&calls] { return boost::json::value(++calls); });

  EXPECT_EQ(*common.get("version"), "1.2.3");
  EXPECT_EQ(*common.get("counter"), 1);
  EXPECT_EQ(*common.get("counter"), 2);  // made anew on each request

  auto all = common.all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].first, "version");
  EXPECT_EQ(all[1].first, "counter");
}

TEST(CommonData, UnknownKeyIsNotFound) {
  CommonData common;
  auto missing = common.get("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().errc, Errc::not_found);
}

}  // namespace
}  // namespace modu::common

#include "core/unique_ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace modu {
namespace {

/// Two sources stand for two instances, or one before and after a restart: their ids
/// never meet, and one source never repeats itself.
TEST(UniqueIds, NeverRepeatWithinOrAcrossSources) {
  UniqueIds before_restart;
  UniqueIds after_restart;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(seen.insert(before_restart.next()).second);
    EXPECT_TRUE(seen.insert(after_restart.next()).second);
  }
  EXPECT_EQ(before_restart.next().size(), 16u + 1 + 3);  // 64 random bits in hex, a dash, 0x3e9
}

}  // namespace
}  // namespace modu

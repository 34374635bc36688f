#include "core/unique_ids.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

namespace modu {
namespace {

TEST(UniqueIds, NeverRepeatAcrossThreads) {
  std::vector<std::string> first(5000), second(5000);
  std::thread other([&] { std::generate(second.begin(), second.end(), unique_id); });
  std::generate(first.begin(), first.end(), unique_id);
  other.join();
  std::set<std::string> seen(first.begin(), first.end());
  seen.insert(second.begin(), second.end());
  EXPECT_EQ(seen.size(), first.size() + second.size());
}

/// An id is 96 random bits in hex: one handed out next tells nothing of how many came
/// between, as a count would (half its bits differ from the last one's, on average).
TEST(UniqueIds, AreRandomNotCounted) {
  const auto id = unique_id();
  ASSERT_EQ(id.size(), 24u);
  EXPECT_TRUE(std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(c) && !std::isupper(c); })) << id;
  int differing = 0;
  std::string last = unique_id();
  for (int i = 0; i < 1000; ++i) {
    auto next = unique_id();
    for (std::size_t c = 0; c < next.size(); ++c) differing += next[c] != last[c];
    last = std::move(next);
  }
  // Of 24 hex digits, 22.5 differ between two random ids on average; a counter changes one or two.
  EXPECT_GT(differing, 1000 * 20);
}

}  // namespace
}  // namespace modu

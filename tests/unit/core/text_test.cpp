#include "core/text.hpp"

#include <gtest/gtest.h>

namespace modu {
namespace {

TEST(Text, ValidUtf8) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("앨리스 🐰"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // cut short
}

TEST(Text, CountsCharactersNotBytes) {
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("가나다"), 3u);
  EXPECT_EQ(code_points("🐰"), 1u);
}

TEST(Text, ControlCharactersAndTrimming) {
  EXPECT_TRUE(has_control_characters("a\tb"));
  EXPECT_TRUE(has_control_characters("a\x7F"));
  EXPECT_TRUE(has_control_characters("a\xC2\x85"));  // NEL, a C1 control
  EXPECT_FALSE(has_control_characters("é 가"));
  EXPECT_EQ(trim("  \t name \xE3\x80\x80"), "name");
  EXPECT_EQ(trim("   "), "");
  // Invisible or space-like characters are blank too: a message or name of only those is empty.
  EXPECT_EQ(trim("\xE2\x80\x8B"), "");                          // zero-width space
  EXPECT_EQ(trim("\xE3\x85\xA4\xE3\x85\xA4"), "");              // Hangul fillers
  EXPECT_EQ(trim("\xC2\xA0\xEF\xBB\xBFhi\xEF\xBE\xA0"), "hi");  // no-break space, BOM, halfwidth filler
  const std::string zero_width_space = "\xE2\x80\x8B";          // spelled apart: "\x8Bb" would be one escape
  EXPECT_EQ(trim("a" + zero_width_space + "b"), "a" + zero_width_space + "b");  // only at the ends
}

TEST(Text, ListContainsAnItemOfACommaSeparatedList) {
  EXPECT_TRUE(list_contains("v10.stomp,v11.stomp,v12.stomp", "v12.stomp"));
  EXPECT_TRUE(list_contains("1.1, 1.2", "1.2"));
  EXPECT_TRUE(list_contains(" 1.2 ", "1.2"));
  EXPECT_FALSE(list_contains("1.12,11.2", "1.2"));
  EXPECT_FALSE(list_contains("", "1.2"));
  EXPECT_TRUE(list_contains("", ""));  // one empty item
}

}  // namespace
}  // namespace modu

#include "ws/stomp/frame.hpp"

#include "ws/stomp/escaping.hpp"

#include <gtest/gtest.h>

namespace modu::stomp {
namespace {

TEST(StompFrame, CommandNamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(Command::error); ++i) {
    const auto command = static_cast<Command>(i);
    EXPECT_EQ(command_from_name(command_name(command)), command) << command_name(command);
  }
  EXPECT_EQ(command_name(Command::unsubscribe), "UNSUBSCRIBE");
  EXPECT_EQ(command_name(Command::connected), "CONNECTED");
  EXPECT_EQ(command_from_name("Send"), std::nullopt);
  EXPECT_EQ(command_from_name(""), std::nullopt);
  EXPECT_EQ(command_from_name("SENDX"), std::nullopt);
}

TEST(StompFrame, OnlyConnectAndConnectedAreUnescaped) {
  EXPECT_FALSE(escapes_headers(Command::connect));
  EXPECT_FALSE(escapes_headers(Command::connected));
  EXPECT_TRUE(escapes_headers(Command::stomp));
  EXPECT_TRUE(escapes_headers(Command::send));
  EXPECT_TRUE(escapes_headers(Command::message));
  EXPECT_TRUE(escapes_headers(Command::error));
}

TEST(StompFrame, HeaderGivesTheFirstValue) {
  const Frame frame{Command::message, {{"foo", "World"}, {"bar", ""}, {"foo", "Hello"}}, ""};
  EXPECT_EQ(frame.header("foo"), "World");
  EXPECT_EQ(frame.header("bar"), "");
  EXPECT_EQ(frame.header("Foo"), std::nullopt);  // names are case-sensitive
}

TEST(StompEscaping, EscapesTheFourOctets) {
  EXPECT_EQ(escape_header("a\rb\nc:d\\e"), "a\\rb\\nc\\cd\\\\e");
  EXPECT_EQ(escape_header("plain"), "plain");
  EXPECT_EQ(unescape_header("a\\rb\\nc\\cd\\\\e").value(), "a\rb\nc:d\\e");
  EXPECT_EQ(unescape_header("\\\\n").value(), "\\n");  // an escaped backslash, then a plain n
  EXPECT_EQ(unescape_header("").value(), "");
}

TEST(StompEscaping, UndefinedEscapesAreErrors) {
  for (const char* text : {"\\t", "a\\", "\\C", "\\0", "ok\\ x"}) {
    auto result = unescape_header(text);
    ASSERT_FALSE(result) << text;
    EXPECT_EQ(result.error().errc, Errc::bad_request);
  }
  EXPECT_NE(unescape_header("x\\t").error().message.find("'\\t'"), std::string::npos);
  EXPECT_NE(unescape_header("x\\\x01").error().message.find("'\\\\x01'"), std::string::npos);
}

}  // namespace
}  // namespace modu::stomp

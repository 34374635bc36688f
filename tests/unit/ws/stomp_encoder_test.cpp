#include "ws/stomp/encoder.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace modu::stomp {
namespace {

using namespace std::string_literals;

TEST(StompEncoder, WritesHeadersInOrderAndContentLengthForABody) {
  const Frame frame{Command::message,
                    {{"subscription", "0"}, {"message-id", "007"}, {"destination", "/topic/rooms/7"}},
                    "{\"seq\":1}"};
  EXPECT_EQ(encode(frame),
            "MESSAGE\nsubscription:0\nmessage-id:007\ndestination:/topic/rooms/7\ncontent-length:9\n\n{\"seq\":1}\0"s);
}

TEST(StompEncoder, NoContentLengthWithoutABody) {
  EXPECT_EQ(encode(Frame{Command::receipt, {{"receipt-id", "77"}}, ""}), "RECEIPT\nreceipt-id:77\n\n\0"s);
  EXPECT_EQ(encode(Frame{Command::disconnect, {}, ""}), "DISCONNECT\n\n\0"s);
}

TEST(StompEncoder, EscapesHeaders) {
  const Frame frame{Command::error, {{"message", "bad: line\r\nend \\"}, {"a:b", "c"}}, ""};
  EXPECT_EQ(encode(frame), "ERROR\nmessage:bad\\c line\\r\\nend \\\\\na\\cb:c\n\n\0"s);
}

TEST(StompEncoder, ConnectedIsNotEscaped) {
  const Frame frame{Command::connected, {{"version", "1.2"}, {"heart-beat", "0,0"}, {"server", "modu/0.1 a:b\\c"}}, ""};
  EXPECT_EQ(encode(frame), "CONNECTED\nversion:1.2\nheart-beat:0,0\nserver:modu/0.1 a:b\\c\n\n\0"s);
  // A line break would end the header early; unescaped, it cannot be carried.
  EXPECT_THROW(encode(Frame{Command::connected, {{"server", "a\nb"}}, ""}), std::invalid_argument);
  EXPECT_THROW(encode(Frame{Command::connected, {{"a:b", "c"}}, ""}), std::invalid_argument);
}

TEST(StompEncoder, OwnsContentLength) {
  const Frame frame{Command::send, {{"content-length", "999"}, {"destination", "/a"}}, "a\0b"s};
  EXPECT_EQ(encode(frame), "SEND\ndestination:/a\ncontent-length:3\n\na\0b\0"s);
}

TEST(StompEncoder, HeartBeatIsOneEol) { EXPECT_EQ(kHeartBeat, "\n"); }

}  // namespace
}  // namespace modu::stomp

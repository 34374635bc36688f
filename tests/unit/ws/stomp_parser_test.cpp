#include "ws/stomp/parser.hpp"

#include "ws/stomp/encoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modu::stomp {
namespace {

using namespace std::string_literals;  // "...\0..."s keeps NUL octets

Limits limits() {
  return {.max_frame_size = 1024, .max_body_size = 512, .max_header_count = 8, .max_header_line_length = 128};
}

/// An event as one comparable line: "SEND destination=/a|id=1 [body]", or "heart-beat".
std::string show(const Event& event) {
  if (std::holds_alternative<HeartBeat>(event)) return "heart-beat";
  const auto& frame = std::get<Frame>(event);
  std::string text(command_name(frame.command));
  for (std::size_t i = 0; i < frame.headers.size(); ++i) {
    text += (i == 0 ? " " : "|") + frame.headers[i].first + "=" + frame.headers[i].second;
  }
  return text + " [" + frame.body + "]";
}

struct Parsed {
  std::vector<std::string> events;
  std::optional<Error> error;
};

/// Feeds the pieces in order, draining the parser after each and letting it give its
/// memory back as a session does, up to the first error.
Parsed parse(const std::vector<std::string>& pieces, Limits limits = stomp::limits()) {
  Parser parser(limits);
  Parsed parsed;
  for (const auto& piece : pieces) {
    parser.feed(piece);
    for (;;) {
      auto event = parser.next();
      if (!event) {
        parsed.error = event.error();
        return parsed;
      }
      if (!*event) {
        parser.release_if_idle();
        break;
      }
      parsed.events.push_back(show(**event));
    }
  }
  return parsed;
}

Parsed parse(const std::string& stream, Limits limits = stomp::limits()) {
  return parse(std::vector<std::string>{stream}, limits);
}

/// The parse must fail with this code and a message containing `reason`.
void expect_error(const Parsed& parsed, Errc errc, const std::string& reason) {
  ASSERT_TRUE(parsed.error.has_value()) << "no error; events: " << parsed.events.size();
  EXPECT_EQ(parsed.error->errc, errc) << parsed.error->message;
  EXPECT_NE(parsed.error->message.find(reason), std::string::npos) << parsed.error->message;
}

// A CONNECT with CRLF line ends, heart-beats of both kinds, a body with a NUL read by
// content-length, escaped headers, a body read to its NUL, and EOLs after a NUL.
const std::string kSample =
    "\r\n"
    "CONNECT\r\naccept-version:1.2\r\nhost:modu\r\n\r\n\0"s
    "\n\n"
    "SEND\ndestination:/app/rooms/7/messages\ncontent-length:5\n\nab\0cd\0"s
    "SUBSCRIBE\nid:sub\\c0\ndestination:/topic/a\\\\b\n\n\0"s
    "\r\n"
    "SEND\ndestination:/x\n\nplain body\0\n"s
    "DISCONNECT\nreceipt:77\n\n\0"s;

const std::vector<std::string> kSampleEvents{
    "heart-beat",
    "CONNECT accept-version=1.2|host=modu []",
    "heart-beat",
    "heart-beat",
    "SEND destination=/app/rooms/7/messages|content-length=5 [ab\0cd]"s,
    "SUBSCRIBE id=sub:0|destination=/topic/a\\b []",
    "heart-beat",
    "SEND destination=/x [plain body]",
    "heart-beat",
    "DISCONNECT receipt=77 []",
};

TEST(StompParser, ParsesAFrame) {
  Parser parser(limits());
  parser.feed("SEND\ndestination:/app/rooms/7/messages\nreceipt:r1\ncontent-type:application/json\n\n{\"a\":1}\0"s);
  auto event = parser.next();
  ASSERT_TRUE(event && *event);
  const auto& frame = std::get<Frame>(**event);
  EXPECT_EQ(frame.command, Command::send);
  ASSERT_EQ(frame.headers.size(), 3u);
  EXPECT_EQ(frame.headers[0], (std::pair<std::string, std::string>("destination", "/app/rooms/7/messages")));
  EXPECT_EQ(frame.headers[2], (std::pair<std::string, std::string>("content-type", "application/json")));
  EXPECT_EQ(frame.header("receipt"), "r1");
  EXPECT_EQ(frame.body, "{\"a\":1}");
  auto after = parser.next();
  ASSERT_TRUE(after);
  EXPECT_FALSE(*after);  // nothing more buffered
}

TEST(StompParser, SampleStreamInOnePiece) {
  auto parsed = parse(kSample);
  EXPECT_FALSE(parsed.error) << parsed.error->message;
  EXPECT_EQ(parsed.events, kSampleEvents);
}

TEST(StompParser, SplitAtEveryBytePositionGivesTheSameEvents) {
  for (std::size_t cut = 0; cut <= kSample.size(); ++cut) {
    auto parsed = parse({kSample.substr(0, cut), kSample.substr(cut)});
    EXPECT_FALSE(parsed.error) << "cut at " << cut << ": " << parsed.error->message;
    EXPECT_EQ(parsed.events, kSampleEvents) << "cut at " << cut;
  }
  for (std::size_t first = 0; first <= kSample.size(); first += 7) {
    for (std::size_t second = first; second <= kSample.size(); second += 5) {
      auto parsed = parse({kSample.substr(0, first), kSample.substr(first, second - first), kSample.substr(second)});
      EXPECT_EQ(parsed.events, kSampleEvents) << "cuts at " << first << " and " << second;
    }
  }
}

TEST(StompParser, OneByteAtATime) {
  std::vector<std::string> bytes;
  for (char c : kSample) bytes.emplace_back(1, c);
  auto parsed = parse(bytes);
  EXPECT_FALSE(parsed.error);
  EXPECT_EQ(parsed.events, kSampleEvents);
}

TEST(StompParser, TwoFramesInOneFeed) {
  auto parsed = parse("SUBSCRIBE\nid:1\ndestination:/topic/a\n\n\0SEND\ndestination:/topic/a\n\nhi\0"s);
  EXPECT_FALSE(parsed.error);
  EXPECT_EQ(parsed.events,
            (std::vector<std::string>{"SUBSCRIBE id=1|destination=/topic/a []", "SEND destination=/topic/a [hi]"}));
}

TEST(StompParser, CrLfLineEndings) {
  auto parsed = parse("SEND\r\ndestination:/a\r\nreceipt:9\r\n\r\nline one\r\nline two\0"s);
  EXPECT_FALSE(parsed.error);
  // The body is octets: its CRLF is kept.
  EXPECT_EQ(parsed.events, (std::vector<std::string>{"SEND destination=/a|receipt=9 [line one\r\nline two]"}));
}

TEST(StompParser, HeartBeatsAreNotFrames) {
  auto parsed = parse("\n\r\n\nBEGIN\ntransaction:t\n\n\0\r\n\n"s);
  EXPECT_FALSE(parsed.error);
  EXPECT_EQ(parsed.events, (std::vector<std::string>{"heart-beat", "heart-beat", "heart-beat", "BEGIN transaction=t []",
                                                     "heart-beat", "heart-beat"}));
  // A CR alone is not yet a heart-beat: it waits for its LF.
  Parser parser(limits());
  parser.feed("\r");
  auto event = parser.next();
  ASSERT_TRUE(event);
  EXPECT_FALSE(*event);
  parser.feed("\n");
  event = parser.next();
  ASSERT_TRUE(event && *event);
  EXPECT_TRUE(std::holds_alternative<HeartBeat>(**event));
}

TEST(StompParser, EscapesRoundTripThroughEncodeAndParse) {
  const Frame sent{Command::message,
                   {{"destination", "/topic/a:b"}, {"weird:name", "cr\r lf\n colon: backslash\\ \\n literal"}},
                   "body"};
  Parser parser(limits());
  parser.feed(encode(sent));
  auto event = parser.next();
  ASSERT_TRUE(event && *event);
  const auto& received = std::get<Frame>(**event);
  EXPECT_EQ(received.command, Command::message);
  ASSERT_EQ(received.headers.size(), 3u);  // plus the encoder's content-length
  EXPECT_EQ(received.headers[0], sent.headers[0]);
  EXPECT_EQ(received.headers[1], sent.headers[1]);
  EXPECT_EQ(received.header("content-length"), "4");
  EXPECT_EQ(received.body, sent.body);
}

TEST(StompParser, ConnectHeadersAreNotUnescaped) {
  auto parsed = parse("CONNECT\nlogin:a\\cb\npasscode:pa:ss\\t\n\n\0"s);
  EXPECT_FALSE(parsed.error) << parsed.error->message;
  EXPECT_EQ(parsed.events, (std::vector<std::string>{"CONNECT login=a\\cb|passcode=pa:ss\\t []"}));
  // STOMP, its alias, is escaped like every other frame.
  parsed = parse("STOMP\nlogin:a\\cb\n\n\0"s);
  EXPECT_EQ(parsed.events, (std::vector<std::string>{"STOMP login=a:b []"}));
}

TEST(StompParser, ContentLengthBodyMayHoldNuls) {
  auto parsed = parse("SEND\ndestination:/a\ncontent-length:4\n\n\0\0x\0\0\n"s);
  EXPECT_FALSE(parsed.error);
  EXPECT_EQ(parsed.events, (std::vector<std::string>{"SEND destination=/a|content-length=4 [\0\0x\0]"s, "heart-beat"}));
  parsed = parse("SEND\ncontent-length:0\n\n\0"s);
  EXPECT_EQ(parsed.events, (std::vector<std::string>{"SEND content-length=0 []"}));
}

TEST(StompParser, MissingNulAfterContentLengthBody) {
  expect_error(parse("SEND\ndestination:/a\ncontent-length:3\n\nabcd\0"s), Errc::bad_request, "not followed by a NUL");
}

TEST(StompParser, InvalidContentLength) {
  for (std::string value : {"", "abc", "-1", "+3", "3 ", " 3", "0x10", "1.5"}) {
    expect_error(parse("SEND\ncontent-length:" + value + "\n\nabc\0"s), Errc::bad_request, "content-length");
  }
  expect_error(parse("SEND\ncontent-length:99999999999999999999999999\n\n\0"s), Errc::payload_too_large,
               "max body size");
  // The first content-length counts; a later one is history.
  auto parsed = parse("SEND\ncontent-length:2\ncontent-length:x\n\nab\0"s);
  EXPECT_FALSE(parsed.error);
  EXPECT_EQ(parsed.events.size(), 1u);
}

TEST(StompParser, RepeatedHeaderFirstWins) {
  Parser parser(limits());
  parser.feed("MESSAGE\nfoo:World\nfoo:Hello\n\n\0"s);
  auto event = parser.next();
  ASSERT_TRUE(event && *event);
  const auto& frame = std::get<Frame>(**event);
  EXPECT_EQ(frame.header("foo"), "World");
  EXPECT_EQ(frame.headers.size(), 2u);  // the repeat is kept, in order
  EXPECT_EQ(frame.header("bar"), std::nullopt);
}

TEST(StompParser, ServerCommandsParseToo) {
  auto parsed = parse("CONNECTED\nversion:1.2\n\n\0RECEIPT\nreceipt-id:1\n\n\0ERROR\nmessage:x\n\nwhy\0"s);
  EXPECT_FALSE(parsed.error);
  EXPECT_EQ(parsed.events,
            (std::vector<std::string>{"CONNECTED version=1.2 []", "RECEIPT receipt-id=1 []", "ERROR message=x [why]"}));
}

TEST(StompParser, UnknownCommand) {
  expect_error(parse("FOO\n\n\0"s), Errc::bad_request, "unknown command 'FOO'");
  expect_error(parse("send\n\n\0"s), Errc::bad_request, "unknown command 'send'");  // commands are case-sensitive
  expect_error(parse(" SEND\n\n\0"s), Errc::bad_request, "unknown command");
  // An HTTP request line, or any long line, fails before its end arrives.
  expect_error(parse("GET /ws HTTP/1.1"), Errc::bad_request, "unknown command 'GET /ws HTTP/1.1'");
}

TEST(StompParser, HeaderWithoutColon) {
  expect_error(parse("SEND\ndestination\n\n\0"s), Errc::bad_request, "header line 'destination' has no colon");
  expect_error(parse("SEND\n:value\n\n\0"s), Errc::bad_request, "empty name");
}

TEST(StompParser, UndefinedEscapeIsAnError) {
  expect_error(parse("SEND\ndestination:/a\\tb\n\n\0"s), Errc::bad_request, "'\\t'");
  expect_error(parse("SEND\nna\\tme:a\n\n\0"s), Errc::bad_request, "'\\t'");
  expect_error(parse("SEND\ndestination:/a\\\n\n\0"s), Errc::bad_request, "incomplete escape");
}

TEST(StompParser, StompOneOneHasNoCrEscape) {
  Parser parser(limits(), stomp::Escapes::stomp_1_1);
  parser.feed("SUBSCRIBE\nid:a\\nb\nreceipt:a\\rb\n\n\0"s);
  auto event = parser.next();
  ASSERT_FALSE(event);
  EXPECT_NE(event.error().message.find("STOMP 1.1 has no escape sequence '\\r'"), std::string::npos);
  // Nor does a raw CR inside a header get through, in either version: 1.2 escapes it, 1.1
  // could not carry it back.
  expect_error(parse("SUBSCRIBE\nid:a\rb\n\n\0"s), Errc::bad_request, "holds a CR (write it as \\r)");
}

/// A NUL ends a frame: before the blank line after the headers, the frame is broken, and
/// said to be at once rather than after whatever comes next.
TEST(StompParser, ANulBeforeTheBodyIsAnError) {
  expect_error(parse("SEND\ndestination:/a\nreceipt:r1\n\0"s), Errc::bad_request,
               "a NUL before the blank line that ends the headers");
  expect_error(parse("SUBSCRIBE\nid:a\0b\ndestination:/x\n\n\0"s), Errc::bad_request, "a NUL before the blank line");
  expect_error(parse("SEND\0"s), Errc::bad_request, "a NUL before the blank line");
  expect_error(parse("\0"s), Errc::bad_request, "a NUL where a frame should begin");
  expect_error(parse("DISCONNECT\n\n\0\0"s), Errc::bad_request, "a NUL where a frame should begin");
  expect_error(parse("\n\n\0"s), Errc::bad_request, "a NUL where a frame should begin");
  expect_error(parse("\r\0"s), Errc::bad_request, "a NUL where a frame should begin");
  // Arriving a byte at a time makes no difference.
  const std::string split = "SEND\nid:a\0b\n\n\0"s;
  std::vector<std::string> bytes;
  for (char c : split) bytes.emplace_back(1, c);
  expect_error(parse(bytes), Errc::bad_request, "a NUL before the blank line");
}

TEST(StompParser, HeadersAreUtf8) {
  EXPECT_FALSE(parse("SEND\ndestination:/\xEC\x95\x88\xEB\x85\x95\n\n\0"s).error);  // "안녕"
  // Shown with each bad octet as a '?', so that the ERROR itself is UTF-8.
  expect_error(parse("SUBSCRIBE\nid:0\nreceipt:r\xFF\xFE\n\n\0"s), Errc::bad_request,
               "header line 'receipt:r?\?' is not UTF-8");
  expect_error(parse("SUBSCRIBE\ndestination:/\xC3\n\n\0"s), Errc::bad_request, "is not UTF-8");
}

/// Only SEND (and the server's MESSAGE and ERROR) may carry a body: another frame's body is
/// most often the next frame, read on because a NUL went missing.
TEST(StompParser, OnlySendHasABody) {
  EXPECT_FALSE(parse("ERROR\nmessage:x\n\nwhy\0MESSAGE\n\n{}\0"s).error);
  expect_error(parse("SUBSCRIBE\nid:0\ncontent-length:3\n\nabc\0"s), Errc::bad_request,
               "a SUBSCRIBE frame has no body (only SEND does)");
  // Said as soon as the content-length is read: the body may never come.
  expect_error(parse("UNSUBSCRIBE\nid:0\ncontent-length:3\n\n"s), Errc::bad_request, "has no body");
  EXPECT_FALSE(parse("SUBSCRIBE\nid:0\ncontent-length:0\n\n\0"s).error);
  expect_error(parse("SUBSCRIBE\nid:0\n\nSEND\ndestination:/a\n\nhi\0"s), Errc::bad_request, "is a NUL missing?");
}

/// A frame that breaks a limit after its `receipt` header was read: the ERROR can name it.
TEST(StompParser, TheReceiptOfTheFrameThatFailedIsKept) {
  const Limits tight{.max_frame_size = 1000, .max_body_size = 5, .max_header_count = 3, .max_header_line_length = 100};
  for (const auto& stream : {"SEND\nreceipt:big\ncontent-length:6\n\n"s, "SEND\nreceipt:big\n\n123456"s,
                             "SEND\nreceipt:big\na:1\nb:2\nc:3\n"s}) {
    Parser parser(tight);
    parser.feed(stream);
    ASSERT_FALSE(parser.next()) << stream;
    EXPECT_EQ(parser.failed_receipt(), "big") << stream;
  }
  Parser parser(tight);
  parser.feed("SEND\nreceipt:fine\n\nok\0NOPE\n"s);
  ASSERT_TRUE(parser.next());
  ASSERT_FALSE(parser.next());
  EXPECT_FALSE(parser.failed_receipt());  // the failing frame is not the one with the receipt
}

TEST(StompParser, FrameSizeLimit) {
  // 13 octets of head ("SEND\nx:1234\n\n"), the body, the NUL.
  const Limits tight{.max_frame_size = 20, .max_body_size = 100, .max_header_count = 8, .max_header_line_length = 100};
  auto parsed = parse("SEND\nx:1234\n\n123456\0"s, tight);
  EXPECT_FALSE(parsed.error) << parsed.error->message;  // exactly 20
  expect_error(parse("SEND\nx:1234\n\n1234567\0"s, tight), Errc::payload_too_large, "max frame size (20 octets)");
  expect_error(parse("SEND\nx:1234\ncontent-length:7\n\n1234567\0"s, tight), Errc::payload_too_large, "max frame size");
  // Headers alone can exceed it, before their end arrives.
  expect_error(parse("SEND\nx:12345678901234567890", tight), Errc::payload_too_large, "max frame size");
}

TEST(StompParser, BodySizeLimit) {
  const Limits tight{.max_frame_size = 1000, .max_body_size = 5, .max_header_count = 8, .max_header_line_length = 100};
  EXPECT_FALSE(parse("SEND\n\n12345\0"s, tight).error);
  expect_error(parse("SEND\n\n123456\0"s, tight), Errc::payload_too_large, "max body size (5 octets)");
  expect_error(parse("SEND\ncontent-length:6\n\n"s, tight), Errc::payload_too_large, "max body size");
  // Fails as soon as too much has arrived, without waiting for a NUL.
  expect_error(parse("SEND\n\n123456"s, tight), Errc::payload_too_large, "max body size");
}

TEST(StompParser, HeaderCountLimit) {
  const Limits tight{
      .max_frame_size = 1000, .max_body_size = 100, .max_header_count = 2, .max_header_line_length = 100};
  EXPECT_FALSE(parse("SEND\na:1\nb:2\n\n\0"s, tight).error);
  expect_error(parse("SEND\na:1\nb:2\nc:3\n\n\0"s, tight), Errc::headers_too_large, "max header count (2)");
}

TEST(StompParser, HeaderLineLengthLimit) {
  const Limits tight{.max_frame_size = 1000, .max_body_size = 100, .max_header_count = 8, .max_header_line_length = 6};
  EXPECT_FALSE(parse("SEND\nab:123\r\n\n\0"s, tight).error);  // the EOL does not count
  expect_error(parse("SEND\nab:1234\n\n\0"s, tight), Errc::headers_too_large, "max header line length (6 octets)");
  expect_error(parse("SEND\nab:1234"s, tight), Errc::headers_too_large, "max header line length");  // no EOL yet
}

TEST(StompParser, FramesBeforeAnErrorComeFirst) {
  auto parsed = parse("SEND\ndestination:/a\nreceipt:1\n\nhi\0\nNOPE\n\n\0"s);
  EXPECT_EQ(parsed.events, (std::vector<std::string>{"SEND destination=/a|receipt=1 [hi]", "heart-beat"}));
  expect_error(parsed, Errc::bad_request, "unknown command 'NOPE'");
}

TEST(StompParser, AfterAnErrorTheParserIsDone) {
  Parser parser(limits());
  parser.feed("NOPE\n");
  auto first = parser.next();
  ASSERT_FALSE(first);
  EXPECT_TRUE(parser.failed());
  parser.feed("SEND\n\n\0"s);
  auto again = parser.next();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, first.error().message);
}

TEST(StompParser, LargeBodyInSmallPieces) {
  const Limits roomy{
      .max_frame_size = 1 << 20, .max_body_size = 1 << 20, .max_header_count = 8, .max_header_line_length = 100};
  const std::string body(200'000, 'x');
  for (bool with_length : {false, true}) {
    const std::string stream = "SEND\n" +
                               (with_length ? "content-length:" + std::to_string(body.size()) + "\n" : std::string()) +
                               "\n" + body + "\0"s;
    std::vector<std::string> pieces;
    for (std::size_t at = 0; at < stream.size(); at += 10) pieces.push_back(stream.substr(at, 10));
    auto parsed = parse(pieces, roomy);
    EXPECT_FALSE(parsed.error);
    ASSERT_EQ(parsed.events.size(), 1u);
    EXPECT_EQ(parsed.events[0].size(), std::string("SEND []").size() + body.size() +
                                           (with_length ? std::string(" content-length=200000").size() : 0));
  }
}

}  // namespace
}  // namespace modu::stomp

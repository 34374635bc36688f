// The bench's WebSocket client reads server frames with its own parser (Beast writes for
// it): here a Beast server on loopback sends it every shape a server may send.
#include "stomp_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <functional>
#include <string>
#include <vector>

namespace modu::bench {
namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using ServerStream = websocket::stream<tcp::socket>;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

/// Runs `serve` on the server end of one WebSocket and `client` on a StompSocket
/// connected to it, both on one io_context, until both are done. As in STOMP, the
/// client speaks first (a CONNECT): the server sends nothing before it.
void run(std::function<asio::awaitable<void>(ServerStream&)> serve,
         std::function<asio::awaitable<void>(StompSocket&)> client) {
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto endpoint = acceptor.local_endpoint();

  auto server_done = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        ServerStream ws(co_await acceptor.async_accept(asio::use_awaitable));
        ws.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
          response.set(boost::beast::http::field::sec_websocket_protocol, kStompSubprotocol);
        }));
        co_await ws.async_accept(asio::use_awaitable);
        boost::beast::flat_buffer connect;
        co_await ws.async_read(connect, asio::use_awaitable);
        co_await serve(ws);
      },
      asio::use_future);
  auto client_done = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        StompSocket socket(io.get_executor());
        const auto ec = co_await socket.open(endpoint, "127.0.0.1", "/ws");
        EXPECT_FALSE(ec) << ec.message();
        if (ec) co_return;
        EXPECT_EQ(socket.subprotocol(), kStompSubprotocol);
        EXPECT_FALSE(co_await socket.write(std::string_view("CONNECT\n\n\0", 10)));
        co_await client(socket);
        socket.close();
      },
      asio::use_future);
  io.run();
  server_done.get();
  client_done.get();
}

std::string payload_of(std::size_t size) {
  std::string text(size, ' ');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + i % 26);
  return text;
}

/// A STOMP frame as a server sends it, with its NUL.
std::string numbered_frame(int n) {
  std::string frame = "MESSAGE\nn:" + std::to_string(n) + "\n\n";
  frame.push_back('\0');
  return frame;
}

asio::awaitable<std::string> read_text(StompSocket& socket) {
  auto [ec, message] = co_await socket.read();
  EXPECT_FALSE(ec) << ec.message();
  co_return std::string(message);
}

TEST(StompSocket, ReadsEveryLengthEncoding) {
  // 7-bit lengths up to 125, 16-bit up to 65,535, 64-bit beyond; the largest is more than
  // one read buffer.
  const std::vector<std::size_t> sizes{0, 1, 125, 126, 300, 65'535, 65'536, 200'000};
  run(
      [&](ServerStream& ws) -> asio::awaitable<void> {
        for (const auto size : sizes) co_await ws.async_write(asio::buffer(payload_of(size)), asio::use_awaitable);
      },
      [&](StompSocket& socket) -> asio::awaitable<void> {
        for (const auto size : sizes) EXPECT_EQ(co_await read_text(socket), payload_of(size)) << size;
      });
}

TEST(StompSocket, MessagesPackedIntoOneSegmentComeOneByOne) {
  constexpr int kMessages = 2'000;
  run(
      [&](ServerStream& ws) -> asio::awaitable<void> {
        // All written before the client reads: many messages arrive in each of its reads,
        // and some are cut at a read's end.
        for (int i = 0; i < kMessages; ++i) {
          co_await ws.async_write(asio::buffer(numbered_frame(i)), asio::use_awaitable);
        }
      },
      [&](StompSocket& socket) -> asio::awaitable<void> {
        for (int i = 0; i < kMessages; ++i) {
          EXPECT_EQ(co_await read_text(socket), numbered_frame(i));
        }
      });
}

TEST(StompSocket, JoinsAFragmentedMessage) {
  const auto big = payload_of(1'000);
  run(
      [&](ServerStream& ws) -> asio::awaitable<void> {
        ws.auto_fragment(true);
        ws.write_buffer_bytes(64);  // frames of 64 octets: one text frame, then continuations
        co_await ws.async_write(asio::buffer(big), asio::use_awaitable);
        ws.auto_fragment(false);
        co_await ws.async_write(asio::buffer(std::string("after")), asio::use_awaitable);
      },
      [&](StompSocket& socket) -> asio::awaitable<void> {
        EXPECT_EQ(co_await read_text(socket), big);
        EXPECT_EQ(co_await read_text(socket), "after");
      });
}

TEST(StompSocket, AnswersAPingWithAPong) {
  bool ponged = false;
  run(
      [&](ServerStream& ws) -> asio::awaitable<void> {
        ws.control_callback([&](websocket::frame_type kind, boost::beast::string_view payload) {
          if (kind == websocket::frame_type::pong && payload == "are you there") ponged = true;
        });
        co_await ws.async_ping("are you there", asio::use_awaitable);
        co_await ws.async_write(asio::buffer(std::string("after the ping")), asio::use_awaitable);
        // The pong comes in while reading; the client's message ends the read.
        boost::beast::flat_buffer buffer;
        co_await ws.async_read(buffer, asio::use_awaitable);
      },
      [&](StompSocket& socket) -> asio::awaitable<void> {
        EXPECT_EQ(co_await read_text(socket), "after the ping");
        EXPECT_FALSE(co_await socket.write("DISCONNECT\n\n"));
      });
  EXPECT_TRUE(ponged);
}

TEST(StompSocket, AClosingHandshakeEndsTheReads) {
  run(
      [&](ServerStream& ws) -> asio::awaitable<void> {
        co_await ws.async_write(asio::buffer(std::string("last")), asio::use_awaitable);
        co_await ws.async_close(websocket::close_code::going_away, kUseTuple);
      },
      [&](StompSocket& socket) -> asio::awaitable<void> {
        EXPECT_EQ(co_await read_text(socket), "last");
        auto [ec, message] = co_await socket.read();
        EXPECT_EQ(ec, websocket::error::closed);
      });
}

TEST(StompSocket, AFrameCutInsideItsHeaderArrivesWhole) {
  const auto text = payload_of(300);  // a 16-bit length: four header octets
  std::string frame = {'\x81', '\x7e', '\x01', '\x2c'};
  frame += text;
  run(
      [&](ServerStream& ws) -> asio::awaitable<void> {
        // Written raw, a piece at a time with pauses, so that the client reads each alone.
        asio::steady_timer pause(co_await asio::this_coro::executor);
        for (const auto [from, to] : {std::pair{0, 1}, {1, 3}, {3, 200}, {200, 304}}) {
          co_await asio::async_write(ws.next_layer(), asio::buffer(frame.data() + from, to - from),
                                     asio::use_awaitable);
          pause.expires_after(std::chrono::milliseconds(20));
          co_await pause.async_wait(asio::use_awaitable);
        }
      },
      [&](StompSocket& socket) -> asio::awaitable<void> { EXPECT_EQ(co_await read_text(socket), text); });
}

TEST(StompSocket, AMaskedServerFrameIsRefused) {
  run(
      [&](ServerStream& ws) -> asio::awaitable<void> {
        // A server must not mask (RFC 6455 §5.1): a text frame "hi" with a zero mask key.
        const unsigned char frame[] = {0x81, 0x82, 0, 0, 0, 0, 'h', 'i'};
        co_await asio::async_write(ws.next_layer(), asio::buffer(frame), asio::use_awaitable);
      },
      [&](StompSocket& socket) -> asio::awaitable<void> {
        auto [ec, message] = co_await socket.read();
        EXPECT_EQ(ec, websocket::error::bad_masked_frame);
      });
}

}  // namespace
}  // namespace modu::bench

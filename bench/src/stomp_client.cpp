// The bench's WebSocket client: the only file that instantiates Beast's WebSocket
// templates, so the scenarios compile quickly.
#include "stomp_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket.hpp>

#include <cstring>
#include <optional>

namespace modu::bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kHandshakeTimeout{30};
// Modu coalesces queued frames into messages of up to 64 KiB; leave room for a broker
// that sends larger ones.
constexpr std::size_t kMessageLimit = 16 << 20;
// One read takes what a server's write of many deliveries holds (Modu writes messages of
// up to 64 KiB, several at once); the pages are touched only as far as reads fill them.
constexpr std::size_t kReadBufferSize = 128 << 10;

enum Opcode : unsigned { kContinuation = 0, kText = 1, kBinary = 2, kClose = 8, kPing = 9, kPong = 10 };

/// The start of a WebSocket frame from the server (RFC 6455 §5.2).
struct FrameHeader {
  std::size_t size = 0;  ///< the header's own bytes
  std::uint64_t payload_size = 0;
  unsigned opcode = 0;
  bool fin = false;
};

/// The header at `p`, nullopt while fewer than all its bytes have arrived; throws
/// websocket::error for a frame a server must not send.
std::optional<FrameHeader> parse_header(const unsigned char* p, std::size_t n) {
  if (n < 2) return std::nullopt;
  FrameHeader header{.size = 2, .payload_size = p[1] & 0x7Fu, .opcode = p[0] & 0x0Fu, .fin = (p[0] & 0x80u) != 0};
  if ((p[0] & 0x70u) != 0) throw boost::system::system_error(websocket::error::bad_reserved_bits);
  if ((p[1] & 0x80u) != 0) throw boost::system::system_error(websocket::error::bad_masked_frame);
  const std::size_t extended = header.payload_size == 126 ? 2 : header.payload_size == 127 ? 8 : 0;
  if (n < 2 + extended) return std::nullopt;
  if (extended > 0) {
    header.payload_size = 0;
    for (std::size_t i = 0; i < extended; ++i) header.payload_size = header.payload_size << 8 | p[2 + i];
  }
  header.size += extended;
  return header;
}

}  // namespace

/// Writes (and the handshake) go through Beast. Reads do not: the bench receives half a
/// million MESSAGE frames a second on the two cores the server also needs, and Beast's
/// read (a composed operation per message, a 1.5 KiB read buffer that splits a server's
/// write into several receives, UTF-8 validation of every text frame) was a sixth of the
/// bench's CPU. Server frames are unmasked, so reading them takes a header parse over one
/// large buffer.
struct StompSocket::Impl {
  explicit Impl(asio::any_io_executor executor) : ws(std::move(executor)) {}

  websocket::stream<tcp::socket> ws;
  std::string subprotocol;

  // Received bytes: [begin, end) is not handed out yet.
  std::unique_ptr<unsigned char[]> in;
  std::size_t capacity = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string fragments;            ///< a fragmented message's payload
  bool in_fragments = false;        ///< its last frame has not come yet
  std::optional<std::string> ping;  ///< a ping's data, until it is answered

  /// The next data message among the received bytes; control frames are taken on the way.
  std::optional<std::string_view> take_message() {
    for (;;) {
      const auto header = parse_header(in.get() + begin, end - begin);
      if (!header) return std::nullopt;
      if (header->payload_size > kMessageLimit) {
        throw boost::system::system_error(websocket::error::message_too_big);
      }
      const auto frame_size = header->size + header->payload_size;
      if (end - begin < frame_size) {
        if (begin + frame_size > capacity) reserve(frame_size);
        return std::nullopt;
      }
      const std::string_view payload(reinterpret_cast<const char*>(in.get() + begin + header->size),
                                     header->payload_size);
      begin += frame_size;
      if (header->opcode >= kClose) {
        if (!header->fin) throw boost::system::system_error(websocket::error::bad_control_fragment);
        if (payload.size() > 125) throw boost::system::system_error(websocket::error::bad_control_size);
      }
      switch (header->opcode) {
        case kText:
        case kBinary:
          if (in_fragments) throw boost::system::system_error(websocket::error::bad_data_frame);
          if (header->fin) return payload;
          fragments.assign(payload);
          in_fragments = true;
          break;
        case kContinuation:
          if (!in_fragments) throw boost::system::system_error(websocket::error::bad_continuation);
          fragments.append(payload);
          if (fragments.size() > kMessageLimit) throw boost::system::system_error(websocket::error::message_too_big);
          if (!header->fin) break;
          in_fragments = false;
          return std::string_view(fragments);
        case kClose:
          throw boost::system::system_error(websocket::error::closed);
        case kPing:
          ping.emplace(payload);  // the pong carries the same data (RFC 6455 §5.5.3)
          break;
        case kPong:
          break;
        default:
          throw boost::system::system_error(websocket::error::bad_opcode);
      }
    }
  }

  /// Room for a frame of `frame_size` bytes from `begin`, with what is received moved to the front.
  void reserve(std::size_t frame_size) {
    const auto wanted = std::max(frame_size, kReadBufferSize);
    if (wanted > capacity) {
      auto bigger = std::make_unique_for_overwrite<unsigned char[]>(wanted);
      if (end > begin) std::memcpy(bigger.get(), in.get() + begin, end - begin);
      in = std::move(bigger);
      capacity = wanted;
    } else if (begin > 0) {
      std::memmove(in.get(), in.get() + begin, end - begin);
    }
    end -= begin;
    begin = 0;
  }
};

StompSocket::StompSocket(asio::any_io_executor executor) : impl_(std::make_unique<Impl>(std::move(executor))) {}

StompSocket::~StompSocket() = default;

asio::awaitable<boost::system::error_code> StompSocket::open(tcp::endpoint endpoint, std::string host,
                                                             std::string path) {
  auto& ws = impl_->ws;
  if (auto [ec] = co_await ws.next_layer().async_connect(endpoint, kUseTuple); ec) co_return ec;
  boost::system::error_code ignored;
  ws.next_layer().set_option(tcp::no_delay(true), ignored);

  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kHandshakeTimeout;
  timeouts.idle_timeout = websocket::stream_base::none();  // STOMP heart-beats are off: idle is normal
  timeouts.keep_alive_pings = false;
  ws.set_option(timeouts);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
    request.set(beast::http::field::sec_websocket_protocol, kStompSubprotocol);
    request.set(beast::http::field::user_agent, "modu-bench");
  }));
  ws.auto_fragment(false);
  ws.text(true);

  // A STOMP server sends nothing before the client's CONNECT, so Beast's handshake
  // cannot have read past its response: every later byte comes through `read`.
  websocket::response_type response;
  if (auto [ec] = co_await ws.async_handshake(response, host, path, kUseTuple); ec) co_return ec;
  impl_->subprotocol = std::string(response[beast::http::field::sec_websocket_protocol]);
  co_return boost::system::error_code{};
}

asio::awaitable<boost::system::error_code> StompSocket::write(std::string_view frames) {
  auto [ec, n] = co_await impl_->ws.async_write(asio::buffer(frames.data(), frames.size()), kUseTuple);
  co_return ec;
}

asio::awaitable<std::pair<boost::system::error_code, std::string_view>> StompSocket::read() {
  auto& impl = *impl_;
  try {
    for (;;) {
      const auto message = impl.take_message();
      // Beast lets a pong go out while the publisher's write is in flight.
      if (auto ping = std::exchange(impl.ping, std::nullopt)) {
        const websocket::ping_data data(ping->data(), ping->size());
        if (auto [ec] = co_await impl.ws.async_pong(data, kUseTuple); ec) co_return std::pair{ec, std::string_view{}};
      }
      if (message) co_return std::pair{boost::system::error_code{}, *message};
      if (impl.begin == impl.end) impl.begin = impl.end = 0;
      if (impl.capacity - impl.end < kReadBufferSize / 4) impl.reserve(impl.end - impl.begin + 1);
      auto [ec, n] = co_await impl.ws.next_layer().async_read_some(
          asio::buffer(impl.in.get() + impl.end, impl.capacity - impl.end), kUseTuple);
      if (ec) co_return std::pair{ec, std::string_view{}};
      impl.end += n;
    }
  } catch (const boost::system::system_error& e) {
    co_return std::pair{e.code(), std::string_view{}};
  }
}

void StompSocket::close() {
  boost::system::error_code ignored;
  impl_->ws.next_layer().close(ignored);
}

const std::string& StompSocket::subprotocol() const { return impl_->subprotocol; }

}  // namespace modu::bench

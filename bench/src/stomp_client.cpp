// The bench's WebSocket client: the only file that instantiates Beast's WebSocket
// templates, so the scenarios compile quickly.
#include "stomp_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

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

}  // namespace

struct StompSocket::Impl {
  explicit Impl(asio::any_io_executor executor) : ws(std::move(executor)) {}

  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buffer;
  std::string subprotocol;
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
  ws.read_message_max(kMessageLimit);
  ws.auto_fragment(false);
  ws.text(true);

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
  auto& buffer = impl_->buffer;
  buffer.consume(buffer.size());
  auto [ec, n] = co_await impl_->ws.async_read(buffer, kUseTuple);
  if (ec) co_return std::pair{ec, std::string_view{}};
  const auto data = buffer.cdata();
  co_return std::pair{ec, std::string_view(static_cast<const char*>(data.data()), data.size())};
}

void StompSocket::close() {
  boost::system::error_code ignored;
  impl_->ws.next_layer().close(ignored);
}

const std::string& StompSocket::subprotocol() const { return impl_->subprotocol; }

}  // namespace modu::bench

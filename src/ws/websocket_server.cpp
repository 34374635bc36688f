// The one translation unit that builds Beast's WebSocket templates.
#include "ws/websocket_server.hpp"

#include "ws/stomp/encoder.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

namespace modu::ws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

/// Several queued frames go out as one WebSocket message, up to this size: STOMP lets
/// frames share a message, and one write instead of many is what keeps fan-out cheap.
constexpr std::size_t kCoalesceBytes = 64 * 1024;

/// The subprotocol to answer with: the newest STOMP the client offers, or none.
std::string choose_subprotocol(std::string_view offered) {
  for (std::string_view wanted : {"v12.stomp", "v11.stomp", "v10.stomp"}) {
    std::string_view rest = offered;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      auto item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (item == wanted) return std::string(wanted);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return {};
}

bool is_quiet(const boost::system::error_code& ec) {
  return ec == websocket::error::closed || ec == asio::error::eof || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

}  // namespace

class WebSocketServer::Connection final : public Transport, public std::enable_shared_from_this<Connection> {
 public:
  Connection(WebSocketServer& server, tcp::socket socket)
      : server_(server), ws_(std::move(socket)), timer_(ws_.get_executor()) {}

  asio::awaitable<void> run(UpgradeRequest request) {
    const auto subprotocol = choose_subprotocol(request[beast::http::field::sec_websocket_protocol]);
    ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& response) {
      response.set(beast::http::field::server, "modu");
      if (!subprotocol.empty()) response.set(beast::http::field::sec_websocket_protocol, subprotocol);
    }));
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(server_.config_.connect_timeout_seconds);
    timeouts.idle_timeout = websocket::stream_base::none();  // STOMP heart-beats watch the peer
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.read_message_max(server_.config_.max_frame_bytes);
    ws_.auto_fragment(false);

    auto [ec] = co_await ws_.async_accept(request, kUseTuple);
    if (ec) co_return;
    request = {};  // nothing of the HTTP request is needed any more

    auto& shard = server_.hub_.shard_for(ws_.get_executor());
    session_.emplace(server_.settings_, server_.services_, *this, shard);
    deadline_ = Clock::now() + std::chrono::seconds(server_.config_.connect_timeout_seconds);
    asio::co_spawn(ws_.get_executor(), watch(shared_from_this()), asio::detached);
    co_await read_loop();
    stopped_ = true;
    timer_.cancel();
    session_.reset();  // leaves the hub at once
    // A write still pending (to a peer that stopped reading) fails now; the writer and
    // the watch hold the connection until they have seen that.
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
  }

  asio::any_io_executor executor() { return ws_.get_executor(); }

  void send(std::shared_ptr<const std::string> frames) override {
    if (closing_ || stopped_) return;
    if (queue_.size() >= server_.config_.outbound_queue_frames) {
      // Too slow for what it subscribed to: drop what waits, say why, and close. It
      // catches up from the database (`after=seq`) when it comes back.
      queue_.clear();
      session_->fail(Error{Errc::too_many_requests,
                           "the connection fell too far behind; reconnect and page the history with after=seq"});
      return;
    }
    queue_.push_back(std::move(frames));
    start_writing();
  }

  void close() override {
    if (closing_) return;
    closing_ = true;
    start_writing();  // writes what is queued, then the close
  }

  void heart_beat(stomp::HeartBeatPlan plan) override {
    plan_ = plan;
    connected_ = true;
    timer_.cancel();  // the watch loop picks the new plan up
  }

  /// Drain: the server is going away (1001).
  void going_away() {
    going_away_ = true;
    closing_ = true;
    start_writing();
  }

 private:
  asio::awaitable<void> read_loop() {
    beast::flat_buffer buffer;
    for (;;) {
      auto [ec, n] = co_await ws_.async_read(buffer, kUseTuple);
      if (ec) {
        if (!is_quiet(ec) && ec != websocket::error::message_too_big) {
          spdlog::debug("websocket read ended: {}", ec.message());
        }
        if (ec == websocket::error::message_too_big && session_) {
          session_->fail(Error{Errc::payload_too_large, fmt::format("a WebSocket message is larger than {} octets",
                                                                    server_.config_.max_frame_bytes)});
        }
        co_return;
      }
      last_read_ = Clock::now();
      const auto data = buffer.cdata();
      co_await session_->receive({static_cast<const char*>(data.data()), data.size()});
      buffer.consume(buffer.size());
      buffer.shrink_to_fit();  // an idle connection keeps no buffer
    }
  }

  void start_writing() {
    if (writing_) return;
    writing_ = true;
    asio::co_spawn(ws_.get_executor(), write_loop(shared_from_this()), asio::detached);
  }

  asio::awaitable<void> write_loop(std::shared_ptr<Connection> self) {
    std::string batch;
    while (!queue_.empty() && !stopped_) {
      std::shared_ptr<const std::string> single;
      if (queue_.size() == 1 || queue_.front()->size() >= kCoalesceBytes) {
        single = std::move(queue_.front());
        queue_.erase(queue_.begin());
      } else {
        std::size_t taken = 0;
        batch.clear();
        while (taken < queue_.size() && batch.size() + queue_[taken]->size() <= kCoalesceBytes) {
          batch += *queue_[taken++];
        }
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(taken));
      }
      const auto& bytes = single ? *single : batch;
      auto [ec, n] = co_await ws_.async_write(asio::buffer(bytes), kUseTuple);
      if (ec) {
        queue_.clear();
        break;
      }
      last_write_ = Clock::now();
    }
    if (closing_ && !stopped_ && ws_.is_open()) {
      auto code = going_away_ ? websocket::close_code::going_away : websocket::close_code::normal;
      co_await ws_.async_close(code, kUseTuple);
    }
    writing_ = false;
  }

  /// One timer for a connection's clock: the deadline to CONNECT, then the heart-beats
  /// both ways.
  asio::awaitable<void> watch(std::shared_ptr<Connection> self) {
    while (!stopped_) {
      auto wake = Clock::now() + std::chrono::hours(1);
      if (!connected_) wake = deadline_;
      if (connected_ && plan_.send_every.count() > 0) wake = std::min(wake, last_write_ + plan_.send_every);
      if (connected_ && plan_.expect_every.count() > 0) wake = std::min(wake, last_read_ + 2 * plan_.expect_every);
      timer_.expires_at(wake);
      co_await timer_.async_wait(kUseTuple);
      if (stopped_) co_return;
      const auto now = Clock::now();
      if (!connected_ && now >= deadline_) {
        if (session_) session_->fail(Error{Errc::unauthorized, "no CONNECT frame in time"});
      } else if (connected_ && plan_.expect_every.count() > 0 && now >= last_read_ + 2 * plan_.expect_every) {
        // Silent for twice the agreed interval: the peer is gone.
        boost::system::error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
        co_return;
      } else if (connected_ && plan_.send_every.count() > 0 && now >= last_write_ + plan_.send_every) {
        // Frames already waiting prove us alive as well as a heart-beat would.
        if (queue_.empty()) send(std::make_shared<const std::string>(stomp::kHeartBeat));
        last_write_ = now;
      }
    }
  }

  WebSocketServer& server_;
  websocket::stream<tcp::socket> ws_;
  asio::steady_timer timer_;
  std::optional<StompSession> session_;
  std::vector<std::shared_ptr<const std::string>> queue_;
  stomp::HeartBeatPlan plan_{};
  Clock::time_point deadline_{};
  Clock::time_point last_read_ = Clock::now();
  Clock::time_point last_write_ = Clock::now();
  bool connected_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool going_away_ = false;
  bool stopped_ = false;
};

WebSocketServer::WebSocketServer(const WsConfig& config, StompServices services, Hub& hub)
    : config_(config),
      settings_{{config.max_frame_bytes, config.max_body_bytes, config.max_headers, config.max_header_line_bytes},
                {std::chrono::milliseconds(config.heart_beat_ms), std::chrono::milliseconds(config.heart_beat_ms)},
                config.max_subscriptions,
                config.frames_per_second},
      services_(services),
      hub_(hub) {}

WebSocketServer::~WebSocketServer() = default;

asio::awaitable<void> WebSocketServer::run(tcp::socket socket, UpgradeRequest request) {
  auto connection = std::make_shared<Connection>(*this, std::move(socket));
  {
    std::lock_guard lock(mutex_);
    if (draining_) co_return;
    live_.insert(connection.get());
  }
  open_.fetch_add(1, std::memory_order_relaxed);
  try {
    co_await connection->run(std::move(request));
  } catch (const std::exception& e) {
    spdlog::error("websocket connection failed: {}", e.what());
  }
  open_.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  live_.erase(connection.get());
}

void WebSocketServer::drain() {
  std::lock_guard lock(mutex_);
  draining_ = true;
  for (auto* connection : live_) {
    // Each connection is touched only on its own thread.
    asio::post(connection->executor(), [this, connection] {
      std::lock_guard again(mutex_);
      if (live_.contains(connection)) connection->going_away();
    });
  }
}

}  // namespace modu::ws

// The one translation unit that builds Beast's WebSocket templates.
#include "ws/websocket_server.hpp"

#include "ws/stomp/encoder.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

namespace modu::ws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

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

/// One WebSocket connection. Written with completion handlers rather than coroutines on
/// purpose: an idle connection then holds only its stream, one pending read and at most
/// one timer wait, where a coroutine would keep its frames (a few KiB) for as long as the
/// connection lives. Frames are handled by the session's coroutine only while they are.
class WebSocketServer::Connection final : public Transport, public std::enable_shared_from_this<Connection> {
 public:
  Connection(WebSocketServer& server, tcp::socket socket)
      : server_(server), ws_(std::move(socket)), timer_(ws_.get_executor()) {}

  void start(UpgradeRequest request) {
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

    request_ = std::make_unique<UpgradeRequest>(std::move(request));
    ws_.async_accept(*request_, [self = shared_from_this()](boost::system::error_code ec) { self->accepted(ec); });
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
    schedule_write();
  }

  void close() override {
    if (closing_) return;
    closing_ = true;
    write_next();  // what is queued, then the close
  }

  void heart_beat(stomp::HeartBeatPlan plan) override {
    plan_ = plan;
    connected_ = true;
    watch();
  }

  /// Drain: the server is going away (1001).
  void going_away() {
    if (stopped_) return;
    going_away_ = true;
    closing_ = true;
    write_next();
  }

 private:
  void accepted(boost::system::error_code ec) {
    request_.reset();  // nothing of the HTTP request is needed any more
    if (ec) return stop();
    session_.emplace(server_.settings_, server_.services_, *this, server_.hub_.shard_for(ws_.get_executor()));
    deadline_ = Clock::now() + std::chrono::seconds(server_.config_.connect_timeout_seconds);
    watch();
    read();
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      self->received(ec);
    });
  }

  void received(boost::system::error_code ec) {
    if (ec) {
      if (ec == websocket::error::message_too_big && session_) {
        session_->fail(Error{Errc::payload_too_large,
                             fmt::format("a WebSocket message is larger than {} octets", server_.config_.max_frame_bytes)});
        return;  // the ERROR goes out, then the close ends the connection
      }
      if (!is_quiet(ec)) spdlog::debug("websocket read ended: {}", ec.message());
      return stop();
    }
    last_read_ = Clock::now();
    receiving_ = true;
    const auto data = buffer_.cdata();
    // The session handles the frames (it may wait on a commit); the next read starts
    // when it is done, so a client's frames are handled in order.
    asio::co_spawn(ws_.get_executor(),
                   session_->receive({static_cast<const char*>(data.data()), data.size()}),
                   [self = shared_from_this()](std::exception_ptr failure) {
                     self->receiving_ = false;
                     if (self->stopped_) return self->session_.reset();  // deferred by stop()
                     if (failure) {
                       try {
                         std::rethrow_exception(failure);
                       } catch (const std::exception& e) {
                         spdlog::error("websocket session failed: {}", e.what());
                       }
                       return self->stop();
                     }
                     self->buffer_.consume(self->buffer_.size());
                     self->buffer_.shrink_to_fit();  // an idle connection keeps no buffer
                     if (!self->stopped_) self->read();
                   });
  }

  /// Starts writing once the handlers already queued on this thread have run: the
  /// deliveries of a committed batch arrive as one handler each, and this way they leave
  /// in one write instead of one write per message.
  void schedule_write() {
    if (write_scheduled_ || writing_) return;
    write_scheduled_ = true;
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->write_scheduled_ = false;
      self->write_next();
    });
  }

  void write_next() {
    if (writing_ || stopped_) return;
    if (queue_.empty()) {
      if (closing_ && !close_sent_) {
        close_sent_ = true;
        writing_ = true;
        const auto code = going_away_ ? websocket::close_code::going_away : websocket::close_code::normal;
        ws_.async_close(code, [self = shared_from_this()](boost::system::error_code) {
          self->writing_ = false;
          self->stop();
        });
      }
      return;
    }
    // Several frames waiting go out as one message; a single one is written as it is,
    // its bytes shared with every other subscriber.
    if (queue_.size() == 1 || queue_.front()->size() >= kCoalesceBytes) {
      single_ = std::move(queue_.front());
      queue_.erase(queue_.begin());
    } else {
      std::size_t taken = 0;
      while (taken < queue_.size() && batch_.size() + queue_[taken]->size() <= kCoalesceBytes) {
        batch_ += *queue_[taken++];
      }
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(taken));
    }
    writing_ = true;
    const auto& bytes = single_ ? *single_ : batch_;
    ws_.async_write(asio::buffer(bytes), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      self->writing_ = false;
      self->single_.reset();
      self->batch_.clear();
      if (self->queue_.empty()) std::string().swap(self->batch_);
      if (ec) return self->stop();
      self->last_write_ = Clock::now();
      self->write_next();
    });
  }

  /// One timer for a connection's clock: the deadline to CONNECT, then the heart-beats
  /// both ways. Armed only while there is something to watch.
  void watch() {
    if (stopped_) return;
    auto wake = Clock::time_point::max();
    if (!connected_) wake = deadline_;
    if (connected_ && plan_.send_every.count() > 0) wake = std::min(wake, last_write_ + plan_.send_every);
    if (connected_ && plan_.expect_every.count() > 0) wake = std::min(wake, last_read_ + 2 * plan_.expect_every);
    if (wake == Clock::time_point::max()) {
      timer_.cancel();
      return;
    }
    timer_.expires_at(wake);  // cancels a wait already pending, which then does nothing
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->tick();
    });
  }

  void tick() {
    if (stopped_) return;
    const auto now = Clock::now();
    if (!connected_) {
      if (now >= deadline_ && session_) return session_->fail(Error{Errc::unauthorized, "no CONNECT frame in time"});
    } else if (plan_.expect_every.count() > 0 && now >= last_read_ + 2 * plan_.expect_every) {
      return stop();  // silent for twice the agreed interval: the peer is gone
    } else if (plan_.send_every.count() > 0 && now >= last_write_ + plan_.send_every) {
      // Frames already waiting prove us alive as well as a heart-beat would.
      if (queue_.empty()) send(std::make_shared<const std::string>(stomp::kHeartBeat));
      last_write_ = now;
    }
    watch();
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
    // The session leaves the hub now, unless it is in the middle of a frame (waiting on a
    // commit, say): then it goes when that frame is done.
    if (!receiving_) session_.reset();
    queue_.clear();
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);  // pending operations end; their handlers hold the last references
    server_.forget(*this);
  }

  WebSocketServer& server_;
  websocket::stream<tcp::socket> ws_;
  asio::steady_timer timer_;
  std::unique_ptr<UpgradeRequest> request_;  ///< only until the handshake is done
  std::optional<StompSession> session_;
  beast::flat_buffer buffer_;
  std::vector<std::shared_ptr<const std::string>> queue_;
  std::shared_ptr<const std::string> single_;  ///< being written
  std::string batch_;                          ///< being written
  stomp::HeartBeatPlan plan_{};
  Clock::time_point deadline_{};
  Clock::time_point last_read_ = Clock::now();
  Clock::time_point last_write_ = Clock::now();
  bool connected_ = false;
  bool receiving_ = false;  ///< the session is handling frames
  bool writing_ = false;
  bool write_scheduled_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool going_away_ = false;
  bool stopped_ = false;
};

WebSocketServer::WebSocketServer(const WsConfig& config, StompServices services, Hub& hub, obs::Metrics& metrics)
    : config_(config),
      settings_{{config.max_frame_bytes, config.max_body_bytes, config.max_headers, config.max_header_line_bytes},
                {std::chrono::milliseconds(config.heart_beat_ms), std::chrono::milliseconds(config.heart_beat_ms)},
                config.max_subscriptions,
                config.frames_per_second},
      services_(services),
      hub_(hub),
      metrics_(metrics) {}

WebSocketServer::~WebSocketServer() = default;

void WebSocketServer::take(tcp::socket socket, UpgradeRequest request) {
  auto connection = std::make_shared<Connection>(*this, std::move(socket));
  {
    std::lock_guard lock(mutex_);
    if (draining_) return;
    live_.insert(connection.get());
  }
  // Counted with the HTTP connections, so that a drain waits for it too.
  metrics_.connection_opened();
  connection->start(std::move(request));
}

void WebSocketServer::forget(Connection& connection) {
  {
    std::lock_guard lock(mutex_);
    live_.erase(&connection);
  }
  metrics_.connection_closed();
}

void WebSocketServer::drain() {
  std::lock_guard lock(mutex_);
  draining_ = true;
  for (auto* connection : live_) {
    // Each connection is touched only on its own thread, and only while it is live.
    asio::post(connection->executor(), [this, connection] {
      bool live = false;
      {
        std::lock_guard again(mutex_);
        live = live_.contains(connection);
      }
      if (live) connection->going_away();
    });
  }
}

}  // namespace modu::ws

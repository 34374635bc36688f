// The one translation unit that builds Beast's WebSocket templates.
#include "ws/websocket_server.hpp"

#include "core/text.hpp"
#include "ws/frame_bounded_socket.hpp"
#include "ws/stomp/encoder.hpp"
#include "ws/thread_connections.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <memory_resource>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace modu::ws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

/// Several queued frames go out as one WebSocket message, up to this size and this many
/// pieces (one `writev`, beside the frame header): STOMP lets frames share a message, and
/// one write instead of many is what keeps fan-out cheap.
constexpr std::size_t kCoalesceBytes = 64 * 1024;
constexpr std::size_t kCoalesceFrames = 63;

/// The subprotocol to answer with: the newest STOMP the client offers, or none.
std::string choose_subprotocol(std::string_view offered) {
  // Not v10.stomp: CONNECT refuses STOMP 1.0, so offering it would only mislead.
  for (std::string_view wanted : {"v12.stomp", "v11.stomp"}) {
    if (list_contains(offered, wanted)) return std::string(wanted);
  }
  return {};
}

bool is_quiet(const boost::system::error_code& ec) {
  return ec == websocket::error::closed || ec == asio::error::eof || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

}  // namespace

/// One WebSocket connection. Written with completion handlers rather than coroutines on
/// purpose: an idle connection then holds only its stream and one wait on its socket,
/// where a coroutine would keep its frames (a few KiB) for as long as the connection
/// lives. Frames are handled by the session's coroutine only while they are.
class WebSocketServer::Connection final : public Transport, public std::enable_shared_from_this<Connection> {
 public:
  using Thread = ThreadConnections<Connection>;

  Connection(WebSocketServer& server, http::Socket socket, Thread& thread)
      : server_(server), thread_(thread), ws_(std::move(socket)) {
    thread_.add(*this);
  }
  ~Connection() override { stop(); }  // every way out stops first; this is for the one that forgot

  std::size_t slot = 0;  ///< where the thread's list holds it

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
    ws_.read_message_max(0);  // the limit is kept by read_message_part, which can say why
    ws_.auto_fragment(false);

    request_ = std::make_unique<UpgradeRequest>(std::move(request));
    ws_.async_accept(*request_, [self = shared_from_this()](boost::system::error_code ec) { self->accepted(ec); });
  }

  void send(std::shared_ptr<const std::string> frames) override {
    if (queue(std::move(frames)) && !writing_) want_flush();
  }

  /// Not paced: under steady traffic a reply would otherwise wait up to a flush interval
  /// behind the deliveries, and a sender waits on its RECEIPT.
  void reply(std::shared_ptr<const std::string> frames) override {
    if (!queue(std::move(frames))) return;
    reply_waiting_ = true;
    write_next();  // now, or as soon as the write in progress is done
  }

  /// The thread's paced flush: write what waits.
  void flush() {
    flush_due_ = false;
    write_next();
  }

  void close() override {
    if (closing_) return;
    closing_ = true;
    write_next();  // what is queued, then the close
  }

  void heart_beat(stomp::HeartBeatPlan plan) override {
    plan_ = plan;
    connected_ = true;
  }

  /// The thread's clock: the deadline to CONNECT, a write the client does not take, the
  /// access token's expiry, then the heart-beats both ways; and an outbox that stayed
  /// empty a whole tick goes (one that is busy keeps its capacity).
  void tick(Clock::time_point now) {
    if (stopped_) return;
    if (writing_ && now >= write_started_ + std::chrono::seconds(server_.config_.write_timeout_seconds)) {
      // It reads nothing: nothing more can reach it, not even an ERROR that says why.
      return stop();
    }
    if (outbox_ && !writing_ && outbox_->queued.empty() && std::exchange(outbox_->idle_since_tick, true)) {
      outbox_.reset();
    }
    if (!connected_) {
      if (now >= deadline_ && session_) session_->fail(Error{Errc::unauthorized, "no CONNECT frame in time"});
      return;
    }
    if (session_) session_->check_token(server_.services_.clock.now());
    if (closing_) return;  // the token expired, say: the ERROR and the close are on their way
    // Not while the session handles frames: the server reads nothing then, heart-beats
    // included (a batch of SENDs waiting on slow commits, say).
    if (plan_.expect_every.count() > 0 && !receiving_ && now >= last_read_ + 2 * plan_.expect_every) {
      // Silent for twice the agreed interval: most likely gone, but one that is not hears
      // why (the write timeout ends a close that nobody takes).
      if (!session_) return stop();
      session_->fail(Error::bad_request(
          fmt::format("nothing from the client, not even a heart-beat, in {} ms", 2 * plan_.expect_every.count())));
    } else if (plan_.send_every.count() > 0 && now + Thread::kTick >= last_write_ + plan_.send_every) {
      // A tick early rather than late. Frames already waiting prove us alive as well.
      if (!outbox_ || outbox_->queued.empty()) send(std::make_shared<const std::string>(stomp::kHeartBeat));
      last_write_ = now;
    }
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
    // Nor the decorator, which holds the subprotocol for the handshake's response.
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type&) {}));
    if (ec) return stop();
    session_.emplace(server_.settings_, server_.services_, *this, server_.hub_.shard_for(ws_.get_executor()));
    deadline_ = Clock::now() + std::chrono::seconds(server_.config_.connect_timeout_seconds);
    read();
  }

  /// Waits for the next message on the socket itself, holding no buffer and no Beast
  /// operation meanwhile: an idle connection is most connections, and those would be a
  /// third of what each costs. Safe because the socket hands Beast no byte past the frame
  /// being read (FrameBoundedSocket): between messages Beast holds none of the next one.
  ///
  /// The wait is allocated at its own size, from the heap: Asio's per-thread cache would
  /// hand it any free block large enough, most likely one a write just gave back (six
  /// times its size), and an idle connection keeps its wait for as long as it is idle.
  void read() {
    if (!ws_.next_layer().between_frames()) return read_message();
    beast::get_lowest_layer(ws_).async_wait(
        http::Socket::wait_read,
        asio::bind_allocator(std::pmr::polymorphic_allocator<std::byte>(std::pmr::new_delete_resource()),
                             [self = shared_from_this()](boost::system::error_code ec) {
                               if (ec) return self->stop();
                               if (!self->stopped_) self->read_message();
                             }));
  }

  void read_message() {
    buffer_ = std::make_unique<beast::flat_buffer>();
    read_message_part();
  }

  /// A message is read a part at a time so that one over the limit is stopped there and
  /// answered with an ERROR that says why: with Beast's own limit the connection would be
  /// failed (close 1009) before the session could write a frame.
  void read_message_part() {
    const auto limit = server_.config_.max_frame_bytes;
    // Up to one octet past the limit: enough to know a message is over it.
    ws_.async_read_some(*buffer_, limit + 1 - buffer_->size(),
                        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          // Stopped meanwhile (a write timed out, say): the session may be gone.
                          if (self->stopped_) return;
                          if (ec) return self->received(ec);
                          self->last_read_ = Clock::now();  // a part proves the peer alive too
                          if (self->buffer_->size() > self->server_.config_.max_frame_bytes) {
                            return self->message_too_large();
                          }
                          if (!self->ws_.is_message_done()) return self->read_message_part();
                          self->received(ec);
                        });
  }

  void message_too_large() {
    buffer_.reset();
    if (!session_) return stop();
    session_->fail(Error{Errc::payload_too_large,
                         fmt::format("a WebSocket message is larger than {} octets", server_.config_.max_frame_bytes)});
    // The ERROR goes out, then the close (which reads past the rest of the message).
  }

  void received(boost::system::error_code ec) {
    if (ec) {
      if (!is_quiet(ec)) spdlog::debug("websocket read ended: {}", ec.message());
      return stop();
    }
    last_read_ = Clock::now();
    receiving_ = true;
    const auto data = buffer_->cdata();
    // The session handles the frames (it may wait on a commit); the next read starts
    // when it is done, so a client's frames are handled in order.
    asio::co_spawn(ws_.get_executor(), session_->receive({static_cast<const char*>(data.data()), data.size()}),
                   [self = shared_from_this()](std::exception_ptr failure) {
                     self->receiving_ = false;
                     // What came meanwhile waited on us, not on the peer.
                     self->last_read_ = Clock::now();
                     if (self->stopped_) return self->session_.reset();  // deferred by stop()
                     if (failure) {
                       try {
                         std::rethrow_exception(failure);
                       } catch (const std::exception& e) {
                         spdlog::error("websocket session failed: {}", e.what());
                       }
                       return self->stop();
                     }
                     self->buffer_.reset();  // an idle connection keeps no buffer
                     if (!self->stopped_) self->read();
                   });
  }

  /// Frames wait: the thread starts the write, paced, together with others'.
  void want_flush() {
    if (flush_due_ || stopped_) return;
    flush_due_ = true;
    thread_.due(shared_from_this());
  }

  /// False when the frames are not to be written: the connection is closing, or has
  /// just been found too slow.
  bool queue(std::shared_ptr<const std::string> frames) {
    if (closing_ || stopped_) return false;
    if (!outbox_) outbox_ = std::make_unique<Outbox>();
    if (outbox_->queued.size() >= server_.config_.outbound_queue_frames) {
      // Too slow for what it subscribed to: drop what waits, say why, and close. It
      // catches up from the database (`after=seq`) when it comes back.
      outbox_->queued.clear();
      session_->fail(Error{Errc::too_many_requests,
                           "the connection fell too far behind; reconnect and page the history with after=seq"});
      return false;
    }
    outbox_->queued.push_back(std::move(frames));
    return true;
  }

  void write_next() {
    if (writing_ || stopped_) return;
    if (!outbox_ || outbox_->queued.empty()) {
      if (closing_ && !close_sent_) {
        close_sent_ = true;
        writing_ = true;
        write_started_ = Clock::now();
        const auto code = going_away_ ? websocket::close_code::going_away : websocket::close_code::normal;
        ws_.async_close(code, [self = shared_from_this()](boost::system::error_code) {
          self->writing_ = false;
          self->stop();
        });
      }
      return;
    }
    // The frames waiting go out as one message, gathered from the buffers they are in
    // (shared with every other subscriber): nothing is copied. The write keeps its own
    // copy of the list of pieces; the frames stay in `writing` until it is done.
    auto& queued = outbox_->queued;
    auto& pieces = outbox_->pieces;
    outbox_->idle_since_tick = false;
    std::size_t taken = 0;
    std::size_t bytes = 0;
    while (taken < queued.size() && taken < kCoalesceFrames &&
           (taken == 0 || bytes + queued[taken]->size() <= kCoalesceBytes)) {
      bytes += queued[taken]->size();
      pieces.push_back(asio::buffer(*queued[taken]));
      outbox_->writing.push_back(std::move(queued[taken++]));
    }
    queued.erase(queued.begin(), queued.begin() + static_cast<std::ptrdiff_t>(taken));
    reply_waiting_ = reply_waiting_ && !queued.empty();  // it may be among those left
    writing_ = true;
    write_started_ = Clock::now();
    // A view of the pieces, not a copy: they stay put in the outbox until the write is done.
    ws_.async_write(std::span<const asio::const_buffer>(pieces),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->outbox_->writing.clear();
                      self->outbox_->pieces.clear();
                      if (ec) return self->stop();
                      self->last_write_ = Clock::now();
                      // The rest, then the close; or the rest with the reply among it.
                      if (self->closing_ || self->reply_waiting_) return self->write_next();
                      if (!self->outbox_->queued.empty()) self->want_flush();
                    });
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    // The session leaves the hub now, unless it is in the middle of a frame (waiting on a
    // commit, say): then it goes when that frame is done.
    if (!receiving_) session_.reset();
    if (outbox_) outbox_->queued.clear();  // not what is being written: the write still holds those bytes
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);  // pending operations end; their handlers hold the last references
    thread_.remove(*this);
    server_.metrics_.connection_closed();
  }

  /// What waits to be written and what is being written, while the connection is busy:
  /// the thread's clock lets it go once it has been empty for a whole tick.
  struct Outbox {
    std::vector<std::shared_ptr<const std::string>> queued;
    std::vector<std::shared_ptr<const std::string>> writing;
    std::vector<asio::const_buffer> pieces;  ///< the bytes of `writing`, for the write
    bool idle_since_tick = false;
  };

  WebSocketServer& server_;
  Thread& thread_;
  websocket::stream<FrameBoundedSocket, false> ws_;  ///< no permessage-deflate: STOMP frames are small
  std::unique_ptr<UpgradeRequest> request_;          ///< only until the handshake is done
  std::optional<StompSession> session_;
  std::unique_ptr<beast::flat_buffer> buffer_;  ///< only while a message is read and handled
  std::unique_ptr<Outbox> outbox_;
  stomp::HeartBeatPlan plan_{};
  Clock::time_point deadline_{};
  Clock::time_point last_read_ = Clock::now();
  Clock::time_point last_write_ = Clock::now();
  Clock::time_point write_started_{};  ///< of the write in progress
  bool connected_ = false;
  bool receiving_ = false;  ///< the session is handling frames
  bool writing_ = false;
  bool flush_due_ = false;      ///< waiting for the thread's flush
  bool reply_waiting_ = false;  ///< a reply is queued: write without waiting for the flush
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

void WebSocketServer::take(http::Socket socket, UpgradeRequest request) {
  // On the connection's own I/O thread (the HTTP session's).
  auto& thread = Connection::Thread::of(socket.get_executor(), std::chrono::milliseconds(config_.flush_interval_ms));
  {
    std::lock_guard lock(mutex_);
    if (draining_) return;
    const auto executor = socket.get_executor();
    if (std::none_of(threads_.begin(), threads_.end(), [&](const auto& t) { return t.first == executor; })) {
      threads_.emplace_back(executor, &thread);
    }
  }
  if (config_.send_buffer_bytes > 0) {
    boost::system::error_code ignored;  // the kernel's own size stays if it refuses
    socket.set_option(asio::socket_base::send_buffer_size(static_cast<int>(config_.send_buffer_bytes)), ignored);
  }
  // Counted with the HTTP connections, so that a drain waits for it too.
  metrics_.connection_opened();
  std::make_shared<Connection>(*this, std::move(socket), thread)->start(std::move(request));
}

void WebSocketServer::drain() {
  std::lock_guard lock(mutex_);
  draining_ = true;
  // Each thread's connections are touched only on that thread.
  for (const auto& [executor, thread] : threads_) {
    asio::post(executor, [thread] { thread->going_away(); });
  }
}

}  // namespace modu::ws

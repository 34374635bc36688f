#pragma once

#include "core/clock.hpp"
#include "core/worker_pool.hpp"
#include "domain/auth/auth_service.hpp"
#include "domain/chat/chat_service.hpp"
#include "domain/presence/presence_service.hpp"
#include "domain/room/room_service.hpp"
#include "ws/hub.hpp"
#include "ws/stomp/heartbeat.hpp"
#include "ws/stomp/parser.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/container/small_vector.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace modu::ws {

/// The limits of one STOMP connection (`ws.*` settings).
struct StompSettings {
  stomp::Limits limits;
  stomp::HeartBeatOffer heart_beat;  ///< the server's own offer
  std::size_t max_subscriptions;
  unsigned frames_per_second;  ///< and as many in a burst
};

/// What a STOMP session needs from the rest of the server.
struct StompServices {
  const auth::AuthService& auth;
  room::RoomService& rooms;
  chat::ChatService& chat;
  presence::PresenceService& presence;
  events::Publisher& events;
  WorkerPool& workers;
  const Clock& clock;  ///< the one access tokens are issued and checked by
};

/// Where a session's bytes go: the WebSocket underneath, or a test's capture.
class Transport {
 public:
  virtual ~Transport() = default;
  /// Queues whole frames for writing, in order: events, written when the connection's
  /// thread next writes its connections together.
  virtual void send(std::shared_ptr<const std::string> frames) = 0;
  /// Queues the answer to the client's own frame (CONNECTED, RECEIPT, ERROR), behind what
  /// already waits, and writes it without waiting for that: the client is waiting for it.
  virtual void reply(std::shared_ptr<const std::string> frames) = 0;
  /// Closes once what is queued has been written.
  virtual void close() = 0;
  /// Starts heart-beating as negotiated at CONNECT.
  virtual void heart_beat(stomp::HeartBeatPlan plan) = 0;
};

/// One client's STOMP 1.2 conversation, without the socket: bytes in (`receive`), frames
/// out (the Transport). Frames are handled one at a time in the order they came, so a
/// client's messages are stored in the order it sent them, and a RECEIPT for a SEND is
/// written only after the message is committed.
///
/// Anything wrong (a malformed frame, an unknown destination, a non-member, a bad token,
/// too many frames) is answered with an ERROR frame with a reason, then the connection
/// closes, as STOMP prescribes; nothing else of the server is affected.
/// @par Thread safety
/// None: everything runs on the connection's own I/O thread.
class StompSession final : public Subscriber {
 public:
  /// `settings` and `services` are shared by every session and outlive them.
  StompSession(const StompSettings& settings, const StompServices& services, Transport& transport, Hub::Shard& shard);
  ~StompSession() override;

  /// Handles the frames in one WebSocket message (or part of a frame).
  boost::asio::awaitable<void> receive(std::string_view bytes);

  /// Events from the hub: written as they are.
  void deliver(const std::shared_ptr<const std::string>& frames) override { transport_.send(frames); }
  /// Leaving a room ends the subscriptions to it; a revoked session ends the connection.
  void control(const bus::Event& event) override;

  /// Ends the conversation from the server's side (drain, slow consumer, revoked token).
  void fail(const Error& error, std::optional<std::string_view> receipt = std::nullopt);

  /// Ends the conversation once the access token it was opened with has expired, as a
  /// REST request with that token would be refused; the client connects again with a
  /// fresh one. The transport's clock calls it.
  void check_token(std::chrono::system_clock::time_point now);

  bool finished() const { return finished_; }

 private:
  boost::asio::awaitable<Result<void>> handle(const stomp::Frame& frame);
  Result<void> connect(const stomp::Frame& frame);
  boost::asio::awaitable<Result<void>> subscribe(const stomp::Frame& frame);
  Result<void> unsubscribe(const stomp::Frame& frame);
  boost::asio::awaitable<Result<void>> send(const stomp::Frame& frame);
  void receipt(const stomp::Frame& frame);
  bool within_rate();
  stomp::Escapes escapes() const { return version_1_2_ ? stomp::Escapes::stomp_1_2 : stomp::Escapes::stomp_1_1; }

  const StompSettings& settings_;
  const StompServices& services_;
  Transport& transport_;
  Hub::Shard& shard_;
  /// Only while frames are coming in: most connections are idle most of the time, and an
  /// idle one keeps no parser.
  std::unique_ptr<stomp::Parser> parser_;
  /// Who CONNECTed, in which log-in session (so that logging out ends this connection
  /// too), and until when their access token holds. Nothing more of it is kept.
  std::optional<MemberId> member_;
  std::string session_id_;
  std::chrono::system_clock::time_point token_expires_at_{};
  struct Subscription {
    std::string id;
    bus::Channel channel;
  };
  /// Most connections hold one or two: those live inside the session.
  boost::container::small_vector<Subscription, 2> subscriptions_;
  bool finished_ = false;
  bool version_1_2_ = true;  ///< or 1.1, as CONNECT agreed
  double tokens_;
  std::chrono::steady_clock::time_point refilled_;
};

}  // namespace modu::ws

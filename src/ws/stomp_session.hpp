#pragma once

#include "core/principal.hpp"
#include "core/worker_pool.hpp"
#include "domain/auth/auth_service.hpp"
#include "domain/chat/chat_service.hpp"
#include "domain/room/room_service.hpp"
#include "ws/hub.hpp"
#include "ws/stomp/heartbeat.hpp"
#include "ws/stomp/parser.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace modu::ws {

/// The limits of one STOMP connection (`ws.*` settings).
struct StompSettings {
  stomp::Limits limits;
  stomp::HeartBeatOffer heart_beat;  ///< the server's own offer
  std::size_t max_subscriptions;
  unsigned frames_per_second;        ///< and as many in a burst
};

/// What a STOMP session needs from the rest of the server.
struct StompServices {
  const auth::AuthService& auth;
  room::RoomService& rooms;
  chat::ChatService& chat;
  events::Publisher& events;
  WorkerPool& workers;
};

/// Where a session's bytes go: the WebSocket underneath, or a test's capture.
class Transport {
 public:
  virtual ~Transport() = default;
  /// Queues whole frames for writing, in order.
  virtual void send(std::shared_ptr<const std::string> frames) = 0;
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
  StompSession(const StompSettings& settings, StompServices services, Transport& transport, Hub::Shard& shard);
  ~StompSession() override;

  /// Handles the frames in one WebSocket message (or part of a frame).
  boost::asio::awaitable<void> receive(std::string_view bytes);

  /// Events from the hub: written as they are.
  void deliver(const std::shared_ptr<const std::string>& frames) override { transport_.send(frames); }
  /// Leaving a room ends the subscriptions to it; a revoked session ends the connection.
  void control(const bus::Event& event) override;

  /// Ends the conversation from the server's side (drain, slow consumer, revoked token).
  void fail(const Error& error, std::optional<std::string_view> receipt = std::nullopt);

  bool finished() const { return finished_; }
  const std::optional<Principal>& principal() const { return principal_; }

 private:
  boost::asio::awaitable<Result<void>> handle(const stomp::Frame& frame);
  Result<void> connect(const stomp::Frame& frame);
  boost::asio::awaitable<Result<void>> subscribe(const stomp::Frame& frame);
  Result<void> unsubscribe(const stomp::Frame& frame);
  boost::asio::awaitable<Result<void>> send(const stomp::Frame& frame);
  void receipt(const stomp::Frame& frame);
  bool within_rate();

  const StompSettings& settings_;
  StompServices services_;
  Transport& transport_;
  Hub::Shard& shard_;
  stomp::Parser parser_;
  std::optional<Principal> principal_;
  std::map<std::string, bus::Channel, std::less<>> subscriptions_;  ///< by subscription id
  bool finished_ = false;
  double tokens_;
  std::chrono::steady_clock::time_point refilled_;
};

}  // namespace modu::ws

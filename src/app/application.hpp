#pragma once

#include "app/config.hpp"
#include "bus/event_bus.hpp"
#include "core/clock.hpp"
#include "core/worker_pool.hpp"
#include "domain/auth/auth_service.hpp"
#include "domain/chat/chat_service.hpp"
#include "domain/common/common_data.hpp"
#include "domain/friend/friend_service.hpp"
#include "domain/member/member_service.hpp"
#include "domain/presence/presence_service.hpp"
#include "domain/room/room_service.hpp"
#include "http/pipeline.hpp"
#include "obs/metrics.hpp"
#include "storage/database.hpp"
#include "ws/hub.hpp"
#include "ws/live_events.hpp"
#include "ws/websocket_server.hpp"

#include <memory>

namespace modu::app {

/// The composition root: builds every part once, from the configuration inward
/// (storage, then services, then transports), and hands each its dependencies.
class Application {
 public:
  /// Opens the database and brings its schema up to date. `clock` may be a test's.
  explicit Application(Config config, std::shared_ptr<Clock> clock = std::make_shared<SystemClock>());
  ~Application();

  /// The whole request handling, without sockets: what the server runs and what
  /// in-process tests drive.
  const http::Pipeline& pipeline() const { return *pipeline_; }
  const Config& config() const { return config_; }
  storage::Database& database() { return *database_; }
  /// What a STOMP session runs on, and the hub it subscribes through (in-process tests).
  ws::StompServices stomp_services() {
    return {*auth_, *rooms_, *chat_, *presence_, *live_events_, *workers_, *clock_};
  }
  ws::Hub& hub() { return *hub_; }

  /// Listens, serves until SIGTERM/SIGINT drains it, and returns the exit code.
  int serve();

 private:
  Config config_;
  std::shared_ptr<Clock> clock_;
  obs::Metrics metrics_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<WorkerPool> password_workers_;  ///< sign-ups and logins: hashing is slow on purpose
  std::unique_ptr<storage::Database> database_;
  common::CommonData common_;

  // Repositories and stores
  std::unique_ptr<member::MemberRepository> member_repository_;
  std::unique_ptr<auth::RefreshTokenRepository> refresh_tokens_;
  std::unique_ptr<friends::FriendRepository> friend_repository_;
  std::unique_ptr<auth::TokenDenyList> deny_list_;
  std::unique_ptr<presence::PresenceStore> presence_store_;
  std::unique_ptr<room::RoomRepository> room_repository_;
  std::unique_ptr<chat::MessageRepository> message_repository_;

  // Real time: events travel the bus to the hub, which holds this instance's subscribers.
  std::unique_ptr<bus::EventBus> bus_;
  std::unique_ptr<ws::Hub> hub_;
  std::unique_ptr<ws::LiveEvents> live_events_;

  // Services
  std::unique_ptr<auth::PasswordHasher> passwords_;
  std::unique_ptr<auth::AccessTokens> access_tokens_;
  std::unique_ptr<auth::LoginThrottle> login_throttle_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<member::MemberService> members_;
  std::unique_ptr<friends::FriendService> friends_;
  std::unique_ptr<friends::BlockRule> block_rule_;
  std::unique_ptr<room::UnreadNews> unread_news_;
  std::unique_ptr<chat::GroupCommit> group_commit_;
  std::unique_ptr<room::RoomService> rooms_;
  std::unique_ptr<chat::ChatService> chat_;
  std::unique_ptr<presence::PresenceService> presence_;

  std::unique_ptr<http::Pipeline> pipeline_;
  std::unique_ptr<ws::WebSocketServer> websocket_;
};

}  // namespace modu::app

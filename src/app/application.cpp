#include "app/application.hpp"

#include "api/auth_api.hpp"
#include "api/common_api.hpp"
#include "api/docs_api.hpp"
#include "api/friend_api.hpp"
#include "api/member_api.hpp"
#include "api/operations_api.hpp"
#include "api/room_api.hpp"
#include "api/web_api.hpp"
#include "api/websocket_api.hpp"
#include "cache/memory_deny_list.hpp"
#include "cache/memory_presence_store.hpp"
#include "core/time_format.hpp"
#include "http/server.hpp"
#include "http/standard_middleware.hpp"
#include "obs/logging.hpp"
#include "storage/migrations.hpp"
#include "storage/sql_friend_repository.hpp"
#include "storage/sql_member_repository.hpp"
#include "storage/sql_message_repository.hpp"
#include "storage/sql_refresh_token_repository.hpp"
#include "storage/sql_room_repository.hpp"

#include <spdlog/spdlog.h>
#include <boost/json/object.hpp>

#include <sys/resource.h>

namespace modu::app {
namespace {

void fill_common_data(common::CommonData& common, const Config& config, std::shared_ptr<Clock> clock) {
  const auto started = clock->now();
  common.add("version", boost::json::object{{"name", "modu"}, {"version", MODU_VERSION}, {"api", "v1"}});
  common.add("time", [clock] {
    const auto now = clock->now();
    return boost::json::value{{"epochMillis", epoch_millis(now)}, {"iso", format_iso8601(now)}};
  });
  common.add("health", [clock, started] {
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(clock->now() - started).count();
    return boost::json::value{{"status", "UP"}, {"startedAt", format_iso8601(started)}, {"uptimeSeconds", uptime}};
  });
  common.add("limits", boost::json::object{{"bodyLimitBytes", config.server.body_limit_bytes}});
}

/// Sockets are files: take the hard limit, and say how many connections that allows.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  spdlog::info("open-file limit {}: room for about {} connections", limit.rlim_cur,
               limit.rlim_cur > 100 ? limit.rlim_cur - 100 : 0);
}

}  // namespace

Application::Application(Config config, std::shared_ptr<Clock> clock)
    : config_(std::move(config)), clock_(std::move(clock)) {
  workers_ = std::make_unique<WorkerPool>(config_.storage.worker_threads);
  password_workers_ = std::make_unique<WorkerPool>(config_.auth.password_threads);
  database_ = std::make_unique<storage::Database>(config_.storage);
  const auto report = storage::migrate(*database_);
  spdlog::info("database {} at schema version {}", database_->display_url(), report.to_version);
  fill_common_data(common_, config_, clock_);

  member_repository_ = std::make_unique<storage::SqlMemberRepository>(*database_);
  refresh_tokens_ = std::make_unique<storage::SqlRefreshTokenRepository>(*database_);
  friend_repository_ = std::make_unique<storage::SqlFriendRepository>(*database_);
  deny_list_ = std::make_unique<cache::MemoryDenyList>(*clock_);
  presence_store_ = std::make_unique<cache::MemoryPresenceStore>();
  room_repository_ = std::make_unique<storage::SqlRoomRepository>(*database_);
  message_repository_ = std::make_unique<storage::SqlMessageRepository>(*database_);

  bus_ = std::make_unique<bus::LocalEventBus>();
  hub_ = std::make_unique<ws::Hub>();
  bus_->listen([hub = hub_.get()](const bus::Event& event) { hub->publish(event); });
  live_events_ = std::make_unique<ws::LiveEvents>(*bus_);

  const auto& auth = config_.auth;
  passwords_ = std::make_unique<auth::PasswordHasher>(auth.password_ops_limit, auth.password_mem_limit_bytes);
  access_tokens_ =
      std::make_unique<auth::AccessTokens>(auth.jwt_secret, std::chrono::minutes(auth.access_token_minutes), *clock_);
  login_throttle_ = std::make_unique<auth::LoginThrottle>(auth.login_throttle, *clock_);
  auth_ = std::make_unique<auth::AuthService>(*member_repository_, *refresh_tokens_, *deny_list_, *passwords_,
                                              *access_tokens_, *login_throttle_, *live_events_, *clock_,
                                              std::chrono::hours(24 * auth.refresh_token_days));
  members_ =
      std::make_unique<member::MemberService>(*member_repository_, *clock_, config_.members.status_message_max_length);
  block_rule_ = std::make_unique<friends::BlockRule>(*friend_repository_);
  presence_ =
      std::make_unique<presence::PresenceService>(*presence_store_, *room_repository_, *block_rule_, *live_events_,
                                                  *workers_, *clock_, config_.presence.max_room_members);
  friends_ = std::make_unique<friends::FriendService>(*friend_repository_, *block_rule_, *presence_,
                                                      *member_repository_, *live_events_, *clock_);
  const auto& chat = config_.chat;
  unread_news_ = std::make_unique<room::UnreadNews>(*room_repository_, *live_events_, *workers_,
                                                    std::chrono::milliseconds(chat.unread_interval_ms));
  group_commit_ = std::make_unique<chat::GroupCommit>(*message_repository_, *workers_, *clock_, chat.commit_batch_max,
                                                      chat::sender_rule, *live_events_, *unread_news_);
  rooms_ = std::make_unique<room::RoomService>(*room_repository_, *member_repository_, *block_rule_,
                                               *message_repository_, *live_events_, *unread_news_, *clock_,
                                               chat.max_group_members, chat.room_preview_members);
  chat_ = std::make_unique<chat::ChatService>(*rooms_, *room_repository_, *message_repository_, *group_commit_,
                                              chat.max_text_length);

  http::Router router;
  api::add_operations_routes(router, *database_, *workers_, metrics_);
  api::add_docs_routes(router);
  api::add_web_routes(router);
  api::add_websocket_routes(router, config_.ws.path);
  api::add_common_routes(router, common_);
  api::add_auth_routes(router, *auth_, *workers_, *password_workers_);
  api::add_member_routes(router, *members_, *presence_, *workers_);
  api::add_friend_routes(router, *friends_, *workers_);
  api::add_room_routes(router, *rooms_, *chat_, *workers_);

  std::vector<std::unique_ptr<http::Middleware>> middleware;
  middleware.push_back(std::make_unique<http::RequestIdMiddleware>());
  middleware.push_back(std::make_unique<http::ObservabilityMiddleware>(metrics_, obs::access_logger()));
  middleware.push_back(std::make_unique<http::CorsMiddleware>(config_.server.cors));
  pipeline_ = std::make_unique<http::Pipeline>(std::move(router), std::move(middleware),
                                               std::make_shared<api::BearerAuthenticator>(*auth_));
  websocket_ = std::make_unique<ws::WebSocketServer>(config_.ws, stomp_services(), *hub_, metrics_);
}

Application::~Application() {
  unread_news_->stop();
  password_workers_->stop();
  workers_->stop();  // no blocking work (a commit, say) may outlive what it uses
}

int Application::serve() {
  raise_file_limit();
  http::Server server(config_.server, *pipeline_, metrics_);
  server.upgrade(config_.ws.path, *websocket_);
  const auto port = server.listen();
  spdlog::info("modu {} ({} profile) listening on http://{}:{} with {} I/O threads", MODU_VERSION, config_.profile,
               config_.server.host, port, config_.server.io_threads);
  server.run();
  unread_news_->stop();
  password_workers_->stop();
  workers_->stop();
  spdlog::info("drained; bye");
  return 0;
}

}  // namespace modu::app

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace modu {

struct CorsConfig {
  std::vector<std::string> allowed_origins;
  int max_age_seconds;
};

struct ServerConfig {
  std::string host;
  std::uint16_t port;
  unsigned io_threads;  ///< resolved: never 0
  std::size_t body_limit_bytes;
  std::size_t header_limit_bytes;
  int read_timeout_seconds;
  int idle_timeout_seconds;
  int drain_timeout_seconds;
  bool trust_forwarded_for;
  CorsConfig cors;
};

struct StorageConfig {
  std::string data_dir;
  std::string database_url;  ///< resolved: "sqlite:<path>" or "mysql://..."
  unsigned pool_size;
  unsigned worker_threads;
  int busy_timeout_ms;
  int checkpoint_interval_ms;  ///< SQLite: the background checkpoint's period; 0: none
  int sqlite_cache_mib;        ///< SQLite: each connection's page cache
};

struct LoginThrottleConfig {
  int max_failures_per_email;
  int max_failures_per_client;
  int window_seconds;
};

struct AuthConfig {
  std::string jwt_secret;
  int access_token_minutes;
  int refresh_token_days;
  unsigned long long password_ops_limit;
  std::size_t password_mem_limit_bytes;
  unsigned password_threads;  ///< threads of their own for hashing (sign-up, login), apart from the worker pool
  LoginThrottleConfig login_throttle;
};

struct MembersConfig {
  std::size_t status_message_max_length;
};

struct LogConfig {
  std::string level;
  std::string format;
  bool access_log;
};

struct ChatConfig {
  std::size_t max_text_length;
  std::size_t max_group_members;
  std::size_t commit_batch_max;
  std::size_t room_preview_members;
  int unread_interval_ms;  ///< a busy room's members hear of their unread count at most this often
};

struct PresenceConfig {
  std::size_t max_room_members;  ///< rooms larger than this are not told who came and went
};

/// STOMP over WebSocket (`ws.*`).
struct WsConfig {
  std::string path;
  std::size_t max_frame_bytes;  ///< one STOMP frame, and one WebSocket message
  std::size_t max_body_bytes;
  std::size_t max_headers;
  std::size_t max_header_line_bytes;
  unsigned frames_per_second;         ///< per connection, and as many in a burst
  std::size_t max_subscriptions;      ///< per connection
  std::size_t outbound_queue_frames;  ///< waiting to be written; past it the client is too slow
  int flush_interval_ms;              ///< under steady traffic, a connection's writes at most this often
  int write_timeout_seconds;          ///< a write the client does not take within this ends the connection
  std::size_t send_buffer_bytes;      ///< the kernel's send buffer per connection; 0: its own autotuning
  int heart_beat_ms;                  ///< what the server offers both ways (0: none)
  int connect_timeout_seconds;        ///< from the upgrade to CONNECT
};

struct Config {
  std::string profile;
  /// Things worth a warning at start-up that do not stop it (a MODU_ variable that
  /// names no setting: a typo, most likely). Logged once logging is up.
  std::vector<std::string> warnings;
  ServerConfig server;
  StorageConfig storage;
  AuthConfig auth;
  MembersConfig members;
  ChatConfig chat;
  PresenceConfig presence;
  WsConfig ws;
  LogConfig log;
};

/// Where settings come from, weakest first: the built-in application.yml, the
/// profile's file, `--config` files, the environment, then command-line flags.
struct ConfigSources {
  std::string profile;                             ///< empty: MODU_PROFILE, else "dev"
  std::vector<std::string> files;                  ///< --config
  std::map<std::string, std::string> flags;        ///< key path -> value, e.g. server.port
  std::map<std::string, std::string> environment;  ///< usually the process environment
};

/// Bad configuration: the message names the key.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Loads, merges and validates; throws ConfigError naming the offending key.
Config load_config(const ConfigSources& sources);

/// The process environment as a map, for ConfigSources::environment.
std::map<std::string, std::string> process_environment();

/// The environment variable that overrides a key: server.bodyLimitBytes -> MODU_SERVER_BODY_LIMIT_BYTES
std::string environment_name(const std::string& key_path);

}  // namespace modu

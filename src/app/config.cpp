#include "app/config.hpp"

#include "core/resources.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

extern char** environ;

namespace modu {
namespace {

const std::vector<std::string> kProfiles{"test", "dev", "prod"};

YAML::Node parse_yaml(std::string_view text, const std::string& origin) {
  try {
    auto node = YAML::Load(std::string(text));
    if (node.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!node.IsMap()) throw ConfigError(origin + ": the top level must be a map of settings");
    return node;
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: {}", origin, e.what()));
  }
}

YAML::Node builtin(const std::string& name) {
  auto text = resources::find("config/" + name);
  if (!text) throw ConfigError("built-in " + name + " is missing");
  return parse_yaml(*text, name);
}

/// Lays `over` onto `base`: maps merge key by key, anything else replaces. Keys that the
/// base does not have are unknown settings, refused with their path.
void merge(YAML::Node base, const YAML::Node& over, const std::string& path, const std::string& origin) {
  for (const auto& entry : over) {
    const auto key = entry.first.as<std::string>();
    const auto key_path = path.empty() ? key : path + "." + key;
    if (!base[key]) throw ConfigError(fmt::format("{}: unknown setting '{}'", origin, key_path));
    auto target = base[key];
    if (target.IsMap()) {
      if (!entry.second.IsMap()) throw ConfigError(fmt::format("{}: '{}' must be a map", origin, key_path));
      merge(target, entry.second, key_path, origin);
    } else {
      base[key] = YAML::Clone(entry.second);
    }
  }
}

/// Sets one leaf from a string (environment or flag); lists take comma-separated values.
void set_leaf(YAML::Node root, const std::string& key_path, const std::string& value, const std::string& origin) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto dot = key_path.find('.', start);
    parts.push_back(key_path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::vector<YAML::Node> chain{root};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) chain.push_back(chain.back()[parts[i]]);
  auto& parent = chain.back();
  if (!parent[parts.back()]) throw ConfigError(fmt::format("{}: unknown setting '{}'", origin, key_path));
  if (parent[parts.back()].IsSequence()) {
    YAML::Node list(YAML::NodeType::Sequence);
    for (std::size_t start = 0; start < value.size();) {
      auto comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      auto item = value.substr(start, comma - start);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) list.push_back(item);
      start = comma + 1;
    }
    parent[parts.back()] = list;
  } else {
    parent[parts.back()] = value;
  }
}

void collect_leaves(const YAML::Node& node, const std::string& path, std::vector<std::string>& out) {
  for (const auto& entry : node) {
    const auto key_path = path.empty() ? entry.first.as<std::string>() : path + "." + entry.first.as<std::string>();
    if (entry.second.IsMap()) {
      collect_leaves(entry.second, key_path, out);
    } else {
      out.push_back(key_path);
    }
  }
}

/// Reads typed values out of the merged tree, naming the key when a value is wrong.
class Reader {
 public:
  explicit Reader(YAML::Node root) : root_(std::move(root)) {}

  template <class T>
  T get(const std::string& key_path) const {
    auto node = find(key_path);
    if (node.IsNull()) throw ConfigError(fmt::format("setting '{}' has no value", key_path));
    try {
      return node.as<T>();
    } catch (const YAML::Exception&) {
      throw ConfigError(fmt::format("setting '{}': '{}' is not a valid {}", key_path, YAML::Dump(node), kind<T>()));
    }
  }

  template <class T>
  T get_in_range(const std::string& key_path, T low, T high) const {
    const auto value = get<T>(key_path);
    if (value < low || value > high) {
      throw ConfigError(fmt::format("setting '{}': {} is outside {}..{}", key_path, value, low, high));
    }
    return value;
  }

  std::string get_one_of(const std::string& key_path, const std::vector<std::string>& allowed) const {
    auto value = get<std::string>(key_path);
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      throw ConfigError(fmt::format("setting '{}': '{}' is not one of {}", key_path, value, fmt::join(allowed, ", ")));
    }
    return value;
  }

 private:
  YAML::Node find(const std::string& key_path) const {
    YAML::Node node = root_;
    std::size_t start = 0;
    for (;;) {
      const auto dot = key_path.find('.', start);
      node.reset(node[key_path.substr(start, dot - start)]);
      if (!node) throw ConfigError(fmt::format("setting '{}' is missing", key_path));
      if (dot == std::string::npos) return node;
      start = dot + 1;
    }
  }

  template <class T>
  static const char* kind() {
    if constexpr (std::is_same_v<T, bool>)
      return "boolean";
    else if constexpr (std::is_integral_v<T>)
      return "whole number";
    else if constexpr (std::is_same_v<T, std::string>)
      return "string";
    else
      return "list of strings";
  }

  YAML::Node root_;
};

std::string resolve_database_url(const std::string& configured, const std::string& data_dir) {
  if (configured.empty()) return "sqlite:" + (std::filesystem::path(data_dir) / "modu.db").string();
  if (configured.starts_with("sqlite:")) return configured;
  auto url = boost::urls::parse_uri(configured);
  if (!url || url->scheme() != "mysql" || url->host().empty() || url->path().size() < 2) {
    throw ConfigError(
        "setting 'storage.databaseUrl': expected sqlite:<path> or mysql://user:password@host:port/database");
  }
  return configured;
}

void refuse_unsafe_production(const Config& config, const std::string& default_secret) {
  if (config.profile != "prod") return;
  if (config.auth.jwt_secret == default_secret || config.auth.jwt_secret.size() < 32) {
    throw ConfigError(
        "setting 'auth.jwtSecret': the prod profile needs a secret of its own, at least 32 characters "
        "(set MODU_AUTH_JWT_SECRET)");
  }
  if (config.storage.database_url.starts_with("sqlite:")) {
    throw ConfigError(
        "setting 'storage.databaseUrl': the prod profile runs on MySQL/MariaDB, not the SQLite default "
        "(set MODU_STORAGE_DATABASE_URL=mysql://user:password@host:3306/modu)");
  }
}

}  // namespace

Config load_config_or_throw(const ConfigSources& sources);

std::string environment_name(const std::string& key_path) {
  std::string name = "MODU_";
  for (std::size_t i = 0; i < key_path.size(); ++i) {
    const char c = key_path[i];
    if (c == '.') {
      name += '_';
    } else if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0 && key_path[i - 1] != '.') name += '_';
      name += c;
    } else {
      name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return name;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string_view::npos && text.starts_with("MODU_")) {
      environment.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
  }
  return environment;
}

Config load_config(const ConfigSources& sources) {
  try {
    return load_config_or_throw(sources);
  } catch (const YAML::Exception& e) {
    throw ConfigError(std::string("configuration: ") + e.what());
  }
}

Config load_config_or_throw(const ConfigSources& sources) {
  Config config;
  config.profile = sources.profile;
  if (config.profile.empty()) {
    auto env = sources.environment.find("MODU_PROFILE");
    config.profile = env != sources.environment.end() ? env->second : "dev";
  }
  if (std::find(kProfiles.begin(), kProfiles.end(), config.profile) == kProfiles.end()) {
    throw ConfigError(fmt::format("profile '{}' is not one of {}", config.profile, fmt::join(kProfiles, ", ")));
  }

  auto root = builtin("application.yml");
  const auto default_secret = root["auth"]["jwtSecret"].as<std::string>();
  merge(root, builtin("application-" + config.profile + ".yml"), "", "application-" + config.profile + ".yml");
  for (const auto& file : sources.files) {
    std::ifstream in(file);
    if (!in) throw ConfigError(file + ": cannot be read");
    merge(root, parse_yaml(std::string(std::istreambuf_iterator<char>(in), {}), file), "", file);
  }
  std::vector<std::string> leaves;
  collect_leaves(root, "", leaves);
  std::set<std::string> known_variables{"MODU_PROFILE"};
  for (const auto& key_path : leaves) {
    known_variables.insert(environment_name(key_path));
    auto env = sources.environment.find(environment_name(key_path));
    if (env != sources.environment.end()) set_leaf(root, key_path, env->second, env->first);
  }
  for (const auto& [name, value] : sources.environment) {
    if (name.starts_with("MODU_") && !known_variables.contains(name)) {
      config.warnings.push_back(fmt::format("environment variable {} names no setting; it is ignored", name));
    }
  }
  for (const auto& [key_path, value] : sources.flags) set_leaf(root, key_path, value, "command line");

  const Reader in(root);
  auto& server = config.server;
  server.host = in.get<std::string>("server.host");
  server.port = in.get_in_range<int>("server.port", 0, 65535);
  server.io_threads = in.get_in_range<unsigned>("server.ioThreads", 0, 256);
  if (server.io_threads == 0) server.io_threads = std::max(1u, std::thread::hardware_concurrency());
  server.body_limit_bytes = in.get_in_range<std::size_t>("server.bodyLimitBytes", 1024, std::size_t{1} << 31);
  server.header_limit_bytes = in.get_in_range<std::size_t>("server.headerLimitBytes", 1024, 1 << 20);
  server.read_timeout_seconds = in.get_in_range("server.readTimeoutSeconds", 1, 3600);
  server.idle_timeout_seconds = in.get_in_range("server.idleTimeoutSeconds", 1, 86400);
  server.drain_timeout_seconds = in.get_in_range("server.drainTimeoutSeconds", 0, 3600);
  server.trust_forwarded_for = in.get<bool>("server.trustForwardedFor");
  server.cors.allowed_origins = in.get<std::vector<std::string>>("server.cors.allowedOrigins");
  server.cors.max_age_seconds = in.get_in_range("server.cors.maxAgeSeconds", 0, 86400);

  auto& storage = config.storage;
  storage.data_dir = in.get<std::string>("storage.dataDir");
  storage.database_url = resolve_database_url(in.get<std::string>("storage.databaseUrl"), storage.data_dir);
  storage.pool_size = in.get_in_range<unsigned>("storage.poolSize", 1, 1024);
  storage.worker_threads = in.get_in_range<unsigned>("storage.workerThreads", 1, 1024);
  storage.busy_timeout_ms = in.get_in_range("storage.busyTimeoutMs", 0, 600000);
  storage.checkpoint_interval_ms = in.get_in_range("storage.checkpointIntervalMs", 0, 60000);
  storage.sqlite_cache_mib = in.get_in_range("storage.sqliteCacheMiB", 1, 65536);

  auto& auth = config.auth;
  auth.jwt_secret = in.get<std::string>("auth.jwtSecret");
  if (auth.jwt_secret.empty()) throw ConfigError("setting 'auth.jwtSecret' cannot be empty");
  auth.access_token_minutes = in.get_in_range("auth.accessTokenMinutes", 1, 24 * 60);
  auth.refresh_token_days = in.get_in_range("auth.refreshTokenDays", 1, 365);
  auth.password_ops_limit = in.get_in_range<unsigned long long>("auth.passwordHash.opsLimit", 1, 10);
  auth.password_mem_limit_bytes = in.get_in_range<std::size_t>("auth.passwordHash.memLimitKib", 8, 4 << 20) * 1024;
  auth.password_threads = in.get_in_range<unsigned>("auth.passwordHash.threads", 1, 1024);
  // Sign-ups and logins read and write members from their own threads: every thread that
  // runs SQL gets a connection without waiting.
  if (storage.pool_size < storage.worker_threads + auth.password_threads) {
    throw ConfigError(
        "setting 'storage.poolSize': needs at least as many connections as storage.workerThreads and "
        "auth.passwordHash.threads together");
  }
  auth.login_throttle.max_failures_per_email = in.get_in_range("auth.loginThrottle.maxFailuresPerEmail", 1, 1000);
  auth.login_throttle.max_failures_per_client = in.get_in_range("auth.loginThrottle.maxFailuresPerClient", 1, 100000);
  auth.login_throttle.window_seconds = in.get_in_range("auth.loginThrottle.windowSeconds", 1, 86400);

  config.members.status_message_max_length = in.get_in_range<std::size_t>("members.statusMessageMaxLength", 1, 1000);

  auto& chat = config.chat;
  chat.max_text_length = in.get_in_range<std::size_t>("chat.maxTextLength", 1, 100000);
  chat.max_group_members = in.get_in_range<std::size_t>("chat.maxGroupMembers", 2, 100000);
  chat.commit_batch_max = in.get_in_range<std::size_t>("chat.commitBatchMax", 1, 100000);
  chat.room_preview_members = in.get_in_range<std::size_t>("chat.roomPreviewMembers", 0, 50);
  chat.unread_interval_ms = in.get_in_range("chat.unreadIntervalMs", 0, 60000);

  config.presence.max_room_members = in.get_in_range<std::size_t>("presence.maxRoomMembers", 0, 100000);

  auto& ws = config.ws;
  ws.path = in.get<std::string>("ws.path");
  if (!ws.path.starts_with('/')) throw ConfigError("setting 'ws.path' must start with '/'");
  ws.max_frame_bytes = in.get_in_range<std::size_t>("ws.maxFrameBytes", 1024, 64 << 20);
  ws.max_body_bytes = in.get_in_range<std::size_t>("ws.maxBodyBytes", 1, 64 << 20);
  ws.max_headers = in.get_in_range<std::size_t>("ws.maxHeaders", 4, 1000);
  ws.max_header_line_bytes = in.get_in_range<std::size_t>("ws.maxHeaderLineBytes", 64, 1 << 20);
  ws.frames_per_second = in.get_in_range<unsigned>("ws.framesPerSecond", 1, 1000000);
  ws.max_subscriptions = in.get_in_range<std::size_t>("ws.maxSubscriptions", 1, 100000);
  ws.outbound_queue_frames = in.get_in_range<std::size_t>("ws.outboundQueueFrames", 1, 1000000);
  ws.flush_interval_ms = in.get_in_range("ws.flushIntervalMs", 0, 1000);
  ws.write_timeout_seconds = in.get_in_range("ws.writeTimeoutSeconds", 1, 3600);
  ws.send_buffer_bytes = in.get_in_range<std::size_t>("ws.sendBufferBytes", 0, 64 << 20);
  ws.heart_beat_ms = in.get_in_range("ws.heartBeatMs", 0, 3600 * 1000);
  ws.connect_timeout_seconds = in.get_in_range("ws.connectTimeoutSeconds", 1, 3600);

  config.log.level = in.get_one_of("log.level", {"trace", "debug", "info", "warn", "error"});
  config.log.format = in.get_one_of("log.format", {"json", "text"});
  config.log.access_log = in.get<bool>("log.accessLog");

  refuse_unsafe_production(config, default_secret);
  return config;
}

}  // namespace modu

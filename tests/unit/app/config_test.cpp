#include "app/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace modu {
namespace {

ConfigSources with_env(std::map<std::string, std::string> environment, std::string profile = "") {
  ConfigSources sources;
  sources.profile = std::move(profile);
  sources.environment = std::move(environment);
  return sources;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(Config, DefaultsServeOn8080WithSqliteInTheDataFolder) {
  const auto config = load_config(with_env({}));
  EXPECT_EQ(config.profile, "dev");
  EXPECT_EQ(config.server.port, 8080);
  EXPECT_EQ(config.storage.database_url, "sqlite:./data/modu.db");
  EXPECT_GE(config.server.io_threads, 1u);
  EXPECT_EQ(config.server.body_limit_bytes, 1048576u);
}

TEST(Config, ProfileComesFromTheEnvironmentWhenNotGiven) {
  EXPECT_EQ(load_config(with_env({{"MODU_PROFILE", "test"}})).profile, "test");
  EXPECT_EQ(load_config(with_env({{"MODU_PROFILE", "test"}}, "dev")).profile, "dev");
  EXPECT_FALSE(load_config(with_env({}, "test")).log.access_log);
}

TEST(Config, EveryKeyHasAnEnvironmentName) {
  EXPECT_EQ(environment_name("server.bodyLimitBytes"), "MODU_SERVER_BODY_LIMIT_BYTES");
  EXPECT_EQ(environment_name("server.cors.allowedOrigins"), "MODU_SERVER_CORS_ALLOWED_ORIGINS");
  EXPECT_EQ(environment_name("log.level"), "MODU_LOG_LEVEL");
}

TEST(Config, EnvironmentOverridesFilesAndFlagsOverrideTheEnvironment) {
  auto sources = with_env({{"MODU_SERVER_PORT", "9000"},
                           {"MODU_SERVER_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example"},
                           {"MODU_LOG_ACCESS_LOG", "false"}});
  auto config = load_config(sources);
  EXPECT_EQ(config.server.port, 9000);
  EXPECT_EQ(config.server.cors.allowed_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_FALSE(config.log.access_log);

  sources.flags["server.port"] = "9100";
  sources.flags["storage.dataDir"] = "/var/lib/modu";
  config = load_config(sources);
  EXPECT_EQ(config.server.port, 9100);
  EXPECT_EQ(config.storage.database_url, "sqlite:/var/lib/modu/modu.db");
}

TEST(Config, ConfigFilesLayerOnTheProfile) {
  auto sources = with_env({});
  sources.files.push_back(write_temp("modu-config-ok.yml", "server:\n  port: 7000\nlog:\n  level: debug\n"));
  const auto config = load_config(sources);
  EXPECT_EQ(config.server.port, 7000);
  EXPECT_EQ(config.log.level, "debug");
  EXPECT_EQ(config.log.format, "text");  // from the dev profile, untouched
}

TEST(Config, BadSettingsFailNamingTheKey) {
  auto unknown = with_env({});
  unknown.files.push_back(write_temp("modu-config-unknown.yml", "server:\n  prot: 7000\n"));
  EXPECT_THROW(
      {
        try {
          load_config(unknown);
        } catch (const ConfigError& e) {
          EXPECT_NE(std::string(e.what()).find("server.prot"), std::string::npos) << e.what();
          throw;
        }
      },
      ConfigError);

  EXPECT_THROW(load_config(with_env({{"MODU_SERVER_PORT", "eighty"}})), ConfigError);
  EXPECT_THROW(load_config(with_env({{"MODU_SERVER_PORT", "70000"}})), ConfigError);
  EXPECT_THROW(load_config(with_env({{"MODU_LOG_LEVEL", "loud"}})), ConfigError);
  EXPECT_THROW(load_config(with_env({{"MODU_STORAGE_DATABASE_URL", "postgres://x/y"}})), ConfigError);
  EXPECT_THROW(load_config(with_env({}, "staging")), ConfigError);
  // Every thread that runs SQL needs a connection of its own: 8 workers and 2 hashers.
  EXPECT_THROW(load_config(with_env({{"MODU_STORAGE_POOL_SIZE", "9"}})), ConfigError);
  EXPECT_EQ(load_config(with_env({{"MODU_STORAGE_POOL_SIZE", "10"}})).storage.pool_size, 10u);
}

TEST(Config, EmptyValuesAndOddKeysAreRefusedNotGuessed) {
  auto empty = with_env({});
  empty.files.push_back(write_temp("modu-config-empty.yml", "storage:\n  dataDir:\n"));
  EXPECT_THROW(load_config(empty), ConfigError);
  auto odd_key = with_env({});
  odd_key.files.push_back(write_temp("modu-config-odd.yml", "? [a, b]\n: 1\n"));
  EXPECT_THROW(load_config(odd_key), ConfigError);
  auto nothing = with_env({});
  nothing.files.push_back(write_temp("modu-config-nothing.yml", ""));
  EXPECT_EQ(load_config(nothing).server.port, 8080);
}

TEST(Config, UnknownModuVariablesAreReported) {
  const auto config = load_config(with_env({{"MODU_SERVER_PROT", "1"}, {"MODU_PROFILE", "dev"}}));
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_NE(config.warnings[0].find("MODU_SERVER_PROT"), std::string::npos);
}

TEST(Config, ProdRefusesTheDevelopmentSecretAndSqlite) {
  const std::string secret = "a-production-secret-that-is-long-enough-0123456789";
  const std::string mysql = "mysql://modu:pw@db.internal:3306/modu";
  EXPECT_THROW(load_config(with_env({{"MODU_STORAGE_DATABASE_URL", mysql}}, "prod")), ConfigError);
  EXPECT_THROW(load_config(with_env({{"MODU_AUTH_JWT_SECRET", secret}}, "prod")), ConfigError);
  EXPECT_THROW(load_config(with_env({{"MODU_AUTH_JWT_SECRET", "short"}, {"MODU_STORAGE_DATABASE_URL", mysql}}, "prod")),
               ConfigError);
  const auto config =
      load_config(with_env({{"MODU_AUTH_JWT_SECRET", secret}, {"MODU_STORAGE_DATABASE_URL", mysql}}, "prod"));
  EXPECT_EQ(config.storage.database_url, mysql);
  EXPECT_EQ(config.log.format, "json");
}

}  // namespace
}  // namespace modu

#pragma once

// The databases the storage tests run on: SQLite always, MariaDB when the test command
// started one (MODUTEST_MYSQL_URL). Each test gets a database of its own.

#include "storage/database.hpp"

#include <gtest/gtest.h>
#include <soci/mysql/soci-mysql.h>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace modu::testing {

enum class Engine { sqlite, mysql };

inline std::string engine_name(const ::testing::TestParamInfo<Engine>& info) {
  return info.param == Engine::sqlite ? "SQLite" : "MariaDB";
}

/// A fresh, empty database; dropped (or deleted) when it goes.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(Engine engine) : engine_(engine) {
    static std::atomic<int> counter{0};
    const auto name = "modu_t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    if (engine == Engine::sqlite) {
      folder_ = std::filesystem::temp_directory_path() / name;
      std::filesystem::remove_all(folder_);
      url_ = "sqlite:" + (folder_ / "modu.db").string();
      return;
    }
    const char* base = std::getenv("MODUTEST_MYSQL_URL");
    if (!base) return;
    auto parsed = boost::urls::parse_uri(base);
    admin_url_ = base;
    auto url = boost::urls::url(*parsed);
    url.set_path("/" + name);
    url_ = std::string(url.buffer());
    name_ = name;
    storage::Database admin(admin_url_, 1, 0);
    soci::session sql(admin.pool());
    sql << "CREATE DATABASE " + name_ + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
  }

  ~ScratchDatabase() {
    try {
      if (engine_ == Engine::sqlite) {
        std::filesystem::remove_all(folder_);
      } else if (!name_.empty()) {
        storage::Database admin(admin_url_, 1, 0);
        soci::session sql(admin.pool());
        sql << "DROP DATABASE IF EXISTS " + name_;
      }
    } catch (...) {
    }
  }

  /// False when this engine cannot run here; the caller skips.
  bool available() const { return !url_.empty(); }
  const std::string& url() const { return url_; }

 private:
  Engine engine_;
  std::filesystem::path folder_;
  std::string url_;
  std::string admin_url_;
  std::string name_;
};

/// Skips a MariaDB test when no server was started, unless the test command demands one.
#define MODU_REQUIRE_DATABASE(scratch)                                                        \
  do {                                                                                        \
    if (!(scratch).available()) {                                                             \
      if (std::getenv("MODUTEST_REQUIRE_SERVERS")) FAIL() << "MODUTEST_MYSQL_URL is not set"; \
      GTEST_SKIP() << "no MariaDB: set MODUTEST_MYSQL_URL (make test does)";                  \
    }                                                                                         \
  } while (false)

}  // namespace modu::testing

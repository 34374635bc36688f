#pragma once

#include "app/config.hpp"

#include <soci/connection-pool.h>
#include <soci/session.h>

#include <atomic>
#include <memory>
#include <string>

namespace modu::storage {

enum class Dialect { sqlite, mysql };

/// A pool of database connections, set up alike whatever the engine: SQLite in WAL
/// mode with foreign keys on; MySQL/MariaDB in strict mode, utf8mb4, UTC. Everything
/// here blocks: call it from the worker pool, never from an I/O thread.
/// @par Thread safety
/// Sessions taken from `pool()` may be used on different threads at once.
class Database {
 public:
  /// Opens `pool_size` connections to `url` ("sqlite:<path>" or "mysql://...").
  /// Creates the SQLite file's folder if needed. Throws std::runtime_error on failure.
  Database(const std::string& url, unsigned pool_size, int busy_timeout_ms);
  explicit Database(const StorageConfig& config)
      : Database(config.database_url, config.pool_size, config.busy_timeout_ms) {}
  ~Database();

  Dialect dialect() const { return dialect_; }
  soci::connection_pool& pool() { return *pool_; }
  /// The URL without its password, for logs.
  const std::string& display_url() const { return display_url_; }

  /// Runs a trivial query; throws when the database cannot be reached.
  void ping();

  /// Statements run so far, by every connection of the pool (tests count them to prove
  /// that a listing takes a fixed number, whatever its size).
  std::uint64_t statements() const { return statements_->load(); }

 private:
  Dialect dialect_;
  std::string display_url_;
  std::unique_ptr<soci::connection_pool> pool_;
  std::shared_ptr<std::atomic<std::uint64_t>> statements_ = std::make_shared<std::atomic<std::uint64_t>>(0);
};

}  // namespace modu::storage

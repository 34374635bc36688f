#pragma once

#include "app/config.hpp"

#include <soci/connection-pool.h>
#include <soci/session.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

namespace modu::storage {

enum class Dialect { sqlite, mysql };

/// A pool of database connections, set up alike whatever the engine: SQLite in WAL
/// mode with foreign keys on; MySQL/MariaDB in strict mode, utf8mb4, UTC. Everything
/// here blocks: call it from the worker pool, never from an I/O thread.
///
/// SQLite's write-ahead log is checkpointed (copied into the database file) by a thread
/// of the Database's own every `checkpoint_interval_ms`, not by whichever writer happens
/// to commit when the log passes its limit: a checkpoint costs as much as several
/// commits, and the writer that paid for it held up every sender waiting on it. Writers
/// still checkpoint if the log grows past 10,000 pages (the thread fell behind).
///
/// Each SQLite connection caches pages far beyond SQLite's default 2 MiB: the unique
/// index on a message's `client_msg_id` takes inserts at random places, so all of it is
/// hot, and every page that fell out of the cache cost the writer a read (10% fewer
/// messages a second at 160,000 messages with the default).
/// @par Thread safety
/// Sessions taken from `pool()` may be used on different threads at once.
class Database {
 public:
  /// Opens `pool_size` connections to `url` ("sqlite:<path>" or "mysql://...").
  /// Creates the SQLite file's folder if needed. Throws std::runtime_error on failure.
  /// `sqlite_cache_mib` is each SQLite connection's page cache (SQLite's own default is 2).
  Database(const std::string& url, unsigned pool_size, int busy_timeout_ms, int checkpoint_interval_ms = 0,
           int sqlite_cache_mib = 64);
  explicit Database(const StorageConfig& config)
      : Database(config.database_url, config.pool_size, config.busy_timeout_ms, config.checkpoint_interval_ms,
                 config.sqlite_cache_mib) {}
  ~Database();

  Dialect dialect() const { return dialect_; }
  soci::connection_pool& pool() { return *pool_; }
  /// A connection of its own, outside the pool and set up like the pool's: for a writer
  /// that keeps its prepared statements from one transaction to the next.
  std::unique_ptr<soci::session> open_session();
  /// The URL without its password, for logs.
  const std::string& display_url() const { return display_url_; }

  /// Runs a trivial query; throws when the database cannot be reached.
  void ping();

  /// Statements run so far, by every connection of the pool (tests count them to prove
  /// that a listing takes a fixed number, whatever its size).
  std::uint64_t statements() const { return statements_->load(); }

 private:
  void open(soci::session& sql, bool counted = true);
  void checkpoint_every(std::chrono::milliseconds interval, std::stop_token stop);

  Dialect dialect_;
  std::string connect_;
  int busy_timeout_ms_;
  int sqlite_cache_mib_;
  bool checkpoints_in_background_ = false;
  std::string display_url_;
  std::unique_ptr<soci::connection_pool> pool_;
  std::shared_ptr<std::atomic<std::uint64_t>> statements_ = std::make_shared<std::atomic<std::uint64_t>>(0);
  std::jthread checkpointer_;  ///< last: stops before the rest goes
};

}  // namespace modu::storage

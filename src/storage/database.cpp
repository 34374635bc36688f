#include "storage/database.hpp"

#include <fmt/format.h>
#include <soci/logger.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>
#include <boost/url/parse.hpp>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace modu::storage {
namespace {

/// SOCI's connection strings take `key=value` pairs; quotes keep a value with spaces
/// whole. Its SQLite backend understands double quotes, its MySQL backend single ones,
/// and neither has an escape, so a value holding the quote character is refused.
std::string quote(std::string_view value, char mark) {
  if (value.find(mark) != std::string_view::npos) {
    throw std::runtime_error(std::string("database settings cannot contain the character ") + mark);
  }
  return mark + std::string(value) + mark;
}

struct Target {
  Dialect dialect;
  std::string connect;
  std::string display;
};

Target parse_url(const std::string& url) {
  if (url.starts_with("sqlite:")) {
    const std::filesystem::path path = url.substr(7);
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    return {Dialect::sqlite, "dbname=" + quote(path.string(), '"'), url};
  }
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "mysql") throw std::runtime_error("unsupported database URL: " + url);
  const auto database = std::string(parsed->path()).substr(1);
  auto connect = fmt::format("dbname={} user={} password={} host={} port={} charset=utf8mb4 reconnect=1",
                             quote(database, '\''), quote(parsed->user(), '\''), quote(parsed->password(), '\''),
                             quote(parsed->host(), '\''), parsed->has_port() ? parsed->port() : "3306");
  auto display = fmt::format("mysql://{}@{}:{}/{}", std::string(parsed->user()), std::string(parsed->host()),
                             parsed->has_port() ? parsed->port() : "3306", database);
  return {Dialect::mysql, std::move(connect), std::move(display)};
}

/// Pages in SQLite's log past which a committing writer checkpoints after all: the
/// background checkpoint has fallen behind (see Database).
constexpr int kWriterCheckpointPages = 10000;
/// A log that grew in a burst is cut back to this after a checkpoint.
constexpr int kLogSizeLimitBytes = 64 << 20;

void prepare_session(soci::session& sql, Dialect dialect, int busy_timeout_ms, int cache_mib,
                     bool checkpoints_in_background) {
  if (dialect == Dialect::sqlite) {
    // The busy timeout first: switching to WAL takes a lock that other processes
    // opening the same file at the same moment must wait for.
    sql << fmt::format("PRAGMA busy_timeout = {}", busy_timeout_ms);
    sql << "PRAGMA journal_mode = WAL";
    sql << "PRAGMA synchronous = FULL";  // a commit is on disk when it returns
    sql << "PRAGMA foreign_keys = ON";
    sql << fmt::format("PRAGMA cache_size = -{}", cache_mib * 1024);  // negative: in KiB, not pages
    sql << fmt::format("PRAGMA journal_size_limit = {}", kLogSizeLimitBytes);
    if (checkpoints_in_background) sql << fmt::format("PRAGMA wal_autocheckpoint = {}", kWriterCheckpointPages);
  } else {
    sql << "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'";
    sql << "SET SESSION time_zone = '+00:00'";
  }
}

/// Counts statements through SOCI's logger hook.
class StatementCounter final : public soci::logger_impl {
 public:
  explicit StatementCounter(std::shared_ptr<std::atomic<std::uint64_t>> count) : count_(std::move(count)) {}
  void start_query(const std::string&) override { count_->fetch_add(1, std::memory_order_relaxed); }

 private:
  logger_impl* do_clone() const override { return new StatementCounter(count_); }
  std::shared_ptr<std::atomic<std::uint64_t>> count_;
};

}  // namespace

Database::Database(const std::string& url, unsigned pool_size, int busy_timeout_ms, int checkpoint_interval_ms,
                   int sqlite_cache_mib) {
  auto target = parse_url(url);
  dialect_ = target.dialect;
  connect_ = std::move(target.connect);
  busy_timeout_ms_ = busy_timeout_ms;
  sqlite_cache_mib_ = sqlite_cache_mib;
  checkpoints_in_background_ = dialect_ == Dialect::sqlite && checkpoint_interval_ms > 0;
  display_url_ = target.display;
  pool_ = std::make_unique<soci::connection_pool>(pool_size);
  for (std::size_t i = 0; i < pool_size; ++i) open(pool_->at(i));
  if (checkpoints_in_background_) {
    checkpointer_ = std::jthread([this, interval = std::chrono::milliseconds(checkpoint_interval_ms)](
                                     std::stop_token stop) { checkpoint_every(interval, stop); });
  }
}

void Database::checkpoint_every(std::chrono::milliseconds interval, std::stop_token stop) {
  // A connection of its own, and not counted with the statements the pool runs (tests
  // count those).
  soci::session sql;
  open(sql, /*counted=*/false);
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  for (;;) {
    wake.wait_for(lock, stop, interval, [] { return false; });  // nothing wakes it early but a stop
    if (stop.stop_requested()) return;
    try {
      // PASSIVE: copies what no reader still needs and waits for nobody; writers go on.
      sql << "PRAGMA wal_checkpoint(PASSIVE)";
    } catch (const std::exception& e) {
      spdlog::warn("checkpoint of {} failed: {}", display_url_, e.what());
    }
  }
}

std::unique_ptr<soci::session> Database::open_session() {
  auto sql = std::make_unique<soci::session>();
  open(*sql);
  return sql;
}

void Database::open(soci::session& sql, bool counted) {
  try {
    if (dialect_ == Dialect::sqlite) {
      sql.open(soci::sqlite3, connect_);
    } else {
      sql.open(soci::mysql, connect_);
    }
    prepare_session(sql, dialect_, busy_timeout_ms_, sqlite_cache_mib_, checkpoints_in_background_);
    if (counted) sql.set_logger(new StatementCounter(statements_));
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("cannot open {}: {}", display_url_, e.what()));
  }
}

Database::~Database() = default;

void Database::ping() {
  soci::session sql(*pool_);
  int one = 0;
  sql << "SELECT 1", soci::into(one);
}

}  // namespace modu::storage

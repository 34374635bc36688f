#include "storage/database.hpp"

#include <fmt/format.h>
#include <soci/logger.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <boost/url/parse.hpp>

#include <filesystem>
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

void prepare_session(soci::session& sql, Dialect dialect, int busy_timeout_ms) {
  if (dialect == Dialect::sqlite) {
    // The busy timeout first: switching to WAL takes a lock that other processes
    // opening the same file at the same moment must wait for.
    sql << fmt::format("PRAGMA busy_timeout = {}", busy_timeout_ms);
    sql << "PRAGMA journal_mode = WAL";
    sql << "PRAGMA synchronous = FULL";  // a commit is on disk when it returns
    sql << "PRAGMA foreign_keys = ON";
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

Database::Database(const std::string& url, unsigned pool_size, int busy_timeout_ms) {
  auto target = parse_url(url);
  dialect_ = target.dialect;
  display_url_ = target.display;
  pool_ = std::make_unique<soci::connection_pool>(pool_size);
  for (std::size_t i = 0; i < pool_size; ++i) {
    auto& sql = pool_->at(i);
    try {
      if (dialect_ == Dialect::sqlite) {
        sql.open(soci::sqlite3, target.connect);
      } else {
        sql.open(soci::mysql, target.connect);
      }
      prepare_session(sql, dialect_, busy_timeout_ms);
      sql.set_logger(new StatementCounter(statements_));
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("cannot open {}: {}", display_url_, e.what()));
    }
  }
}

Database::~Database() = default;

void Database::ping() {
  soci::session sql(*pool_);
  int one = 0;
  sql << "SELECT 1", soci::into(one);
}

}  // namespace modu::storage

#include "storage/migrations.hpp"

#include "core/resources.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <stdexcept>

namespace modu::storage {
namespace {

constexpr std::string_view kCreateHistory =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER NOT NULL PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL,"
    " applied_at BIGINT NOT NULL)";
constexpr std::string_view kCurrentVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
constexpr std::string_view kRecord = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)";
constexpr std::string_view kMysqlLock = "SELECT GET_LOCK('modu_schema_migrations', 120)";
constexpr std::string_view kMysqlUnlock = "SELECT RELEASE_LOCK('modu_schema_migrations')";

/// Statements end with ';' at the end of a line, and nowhere else (no ';' inside a
/// line, not even in a string); "--" starts a comment to the end of the line.
std::vector<std::string> split_statements(std::string_view script) {
  std::vector<std::string> statements;
  std::string current;
  while (!script.empty()) {
    const auto newline = script.find('\n');
    auto line = script.substr(0, newline);
    script.remove_prefix(newline == std::string_view::npos ? script.size() : newline + 1);
    line = line.substr(0, line.find("--"));  // a trailing comment (migrations keep "--" out of strings)
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    if (const auto semicolon = line.find(';'); semicolon != std::string_view::npos && semicolon != last) {
      // The engines run one statement at a time and would drop what follows quietly.
      throw std::logic_error("migration line has text after ';': " + std::string(line));
    }
    current.append(line.substr(0, last + 1)).append("\n");
    if (line[last] == ';') {
      current.resize(current.size() - 2);  // the ';' and the newline
      statements.push_back(std::move(current));
      current.clear();
    }
  }
  if (current.find_first_not_of(" \n") != std::string::npos) statements.push_back(std::move(current));
  return statements;
}

int read_version(soci::session& sql) {
  long long version = 0;
  sql << kCurrentVersion, soci::into(version);
  return static_cast<int>(version);
}

/// Holds MySQL's named lock, so that instances starting together migrate one at a time.
class MysqlLock {
 public:
  explicit MysqlLock(soci::session& sql) : sql_(sql) {
    int granted = 0;
    sql_ << kMysqlLock, soci::into(granted);
    if (granted != 1) throw std::runtime_error("another instance holds the migration lock");
  }
  ~MysqlLock() {
    try {
      int released = 0;
      sql_ << kMysqlUnlock, soci::into(released);
    } catch (...) {
      // The lock also ends with the connection.
    }
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::vector<Migration> migrations_for(Dialect dialect) {
  const std::string folder = fmt::format("src/storage/migrations/{}/", dialect == Dialect::sqlite ? "sqlite" : "mysql");
  std::vector<Migration> migrations;
  for (auto name : resources::names()) {
    if (!name.starts_with(folder)) continue;
    auto file = name.substr(folder.size());  // 0001_initial.sql
    int version = 0;
    auto [end, ec] = std::from_chars(file.data(), file.data() + file.size(), version);
    if (ec != std::errc() || *end != '_' || !file.ends_with(".sql")) {
      throw std::logic_error("migration file name must be NNNN_name.sql: " + std::string(name));
    }
    const auto label = file.substr(end - file.data() + 1, file.size() - (end - file.data() + 1) - 4);
    migrations.push_back({version, std::string(label), *resources::find(name)});
  }
  std::sort(migrations.begin(), migrations.end(), [](auto& a, auto& b) { return a.version < b.version; });
  return migrations;
}

int schema_version(Database& database) {
  soci::session sql(database.pool());
  sql << kCreateHistory;
  return read_version(sql);
}

MigrationReport migrate(Database& database) {
  soci::session sql(database.pool());
  sql << kCreateHistory;
  std::optional<MysqlLock> lock;
  if (database.dialect() == Dialect::mysql) lock.emplace(sql);

  MigrationReport report{read_version(sql), 0};
  report.to_version = report.from_version;
  for (const auto& migration : migrations_for(database.dialect())) {
    if (migration.version <= report.to_version) continue;
    // SQLite: IMMEDIATE takes the write lock now, so a second process waits here and
    // then sees the version this one recorded.
    sql << (database.dialect() == Dialect::sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
    try {
      if (read_version(sql) >= migration.version) {
        sql << "COMMIT";
        continue;
      }
      for (const auto& statement : split_statements(migration.sql)) sql << statement;
      const auto now =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      long long applied_at = now;
      sql << kRecord, soci::use(migration.version), soci::use(migration.name), soci::use(applied_at);
      sql << "COMMIT";
    } catch (const std::exception& e) {
      try {
        sql << "ROLLBACK";
      } catch (...) {
      }
      throw std::runtime_error(
          fmt::format("migration {} ({}) failed: {}", migration.version, migration.name, e.what()));
    }
    spdlog::info("schema migrated to version {} ({})", migration.version, migration.name);
    report.to_version = migration.version;
  }
  return report;
}

}  // namespace modu::storage

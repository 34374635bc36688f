// The Database's own checkpoint thread for SQLite's write-ahead log, and its page cache.
#include "storage/database.hpp"

#include "support/databases.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace modu::storage {
namespace {

using testing::Engine;
using testing::ScratchDatabase;

TEST(DatabaseTest, ItsOwnThreadCopiesSqlitesLogIntoTheDatabaseFile) {
  ScratchDatabase scratch(Engine::sqlite);
  const std::filesystem::path file = scratch.url().substr(std::string_view("sqlite:").size());
  Database database(scratch.url(), 2, 5000, /*checkpoint_interval_ms=*/10);
  soci::session sql(database.pool());
  sql << "CREATE TABLE blobs (data BLOB NOT NULL)";
  // About 50 pages: far below the 10,000 at which a writer would checkpoint itself.
  for (int i = 0; i < 50; ++i) sql << "INSERT INTO blobs (data) VALUES (randomblob(4000))";

  // Commits go to the log; only a checkpoint grows the database file past them.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::filesystem::file_size(file) < 50 * 4000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(std::filesystem::file_size(file), 50u * 4000u);
}

TEST(DatabaseTest, EverySqliteConnectionGetsTheConfiguredPageCache) {
  ScratchDatabase scratch(Engine::sqlite);
  Database database(scratch.url(), 2, 5000, 0, /*sqlite_cache_mib=*/48);
  for (std::size_t i = 0; i < 2; ++i) {
    int cache_size = 0;
    database.pool().at(i) << "PRAGMA cache_size", soci::into(cache_size);
    EXPECT_EQ(cache_size, -48 * 1024) << "connection " << i;  // negative: KiB
  }
  int writer_cache_size = 0;
  *database.open_session() << "PRAGMA cache_size", soci::into(writer_cache_size);
  EXPECT_EQ(writer_cache_size, -48 * 1024);
}

}  // namespace
}  // namespace modu::storage

#include "storage/migrations.hpp"

#include "support/databases.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <thread>

namespace modu::storage {
namespace {

using testing::Engine;
using testing::ScratchDatabase;

class MigrationsTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    MODU_REQUIRE_DATABASE(scratch_);
    database_ = std::make_unique<Database>(scratch_.url(), 4, 5000);
  }

  ScratchDatabase scratch_{GetParam()};
  std::unique_ptr<Database> database_;
};

TEST_P(MigrationsTest, BringsAnEmptyDatabaseToTheNewestVersionOnce) {
  const auto newest = migrations_for(database_->dialect()).back().version;
  EXPECT_EQ(schema_version(*database_), 0);
  auto first = migrate(*database_);
  EXPECT_EQ(first.from_version, 0);
  EXPECT_EQ(first.to_version, newest);
  auto again = migrate(*database_);
  EXPECT_EQ(again.from_version, newest);
  EXPECT_EQ(again.to_version, newest);

  soci::session sql(database_->pool());
  int recorded = 0;
  sql << "SELECT COUNT(*) FROM schema_migrations", soci::into(recorded);
  EXPECT_EQ(recorded, static_cast<int>(migrations_for(database_->dialect()).size()));
}

TEST_P(MigrationsTest, BothDialectsHaveTheSameMigrations) {
  auto sqlite = migrations_for(Dialect::sqlite);
  auto mysql = migrations_for(Dialect::mysql);
  ASSERT_EQ(sqlite.size(), mysql.size());
  for (std::size_t i = 0; i < sqlite.size(); ++i) {
    EXPECT_EQ(sqlite[i].version, mysql[i].version);
    EXPECT_EQ(sqlite[i].name, mysql[i].name);
  }
}

TEST_P(MigrationsTest, InstancesStartingTogetherMigrateOnce) {
  Database other(scratch_.url(), 1, 5000);
  std::exception_ptr failure;
  std::thread racer([&] {
    try {
      migrate(other);
    } catch (...) {
      failure = std::current_exception();
    }
  });
  migrate(*database_);
  racer.join();
  ASSERT_FALSE(failure);
  soci::session sql(database_->pool());
  int recorded = 0;
  sql << "SELECT COUNT(*) FROM schema_migrations", soci::into(recorded);
  EXPECT_EQ(recorded, static_cast<int>(migrations_for(database_->dialect()).size()));
}

/// The seed's model: members, friends, rooms, room members (the relation with its own
/// data) and messages, with their keys and constraints.
TEST_P(MigrationsTest, TheSchemaHoldsTheDomainAndItsRules) {
  migrate(*database_);
  soci::session sql(database_->pool());
  const long long now = 1795613705895;
  auto add_member = [&](const std::string& email, const std::string& nickname) {
    sql << "INSERT INTO members (email, password_hash, nickname, created_at, updated_at) VALUES (:e, 'h', :n, :c, :u)",
        soci::use(email), soci::use(nickname), soci::use(now), soci::use(now);
    long long id = 0;
    sql << "SELECT id FROM members WHERE email = :e", soci::use(email), soci::into(id);
    return id;
  };
  const auto alice = add_member("alice@example.com", "앨리스 🐰");
  const auto bob = add_member("bob@example.com", "Bob");
  EXPECT_NE(alice, bob);

  std::string nickname;
  sql << "SELECT nickname FROM members WHERE id = :id", soci::use(alice), soci::into(nickname);
  EXPECT_EQ(nickname, "앨리스 🐰");  // four-byte UTF-8 survives on both engines

  EXPECT_THROW(add_member("alice@example.com", "again"), soci::soci_error);  // unique email

  sql << "INSERT INTO friends (owner_id, friend_id, favorite, created_at) VALUES (:a, :b, 1, :t)", soci::use(alice),
      soci::use(bob), soci::use(now);
  const long long nobody = 999999;
  EXPECT_THROW((sql << "INSERT INTO friends (owner_id, friend_id, created_at) VALUES (:a, :b, :t)", soci::use(alice),
                soci::use(nobody), soci::use(now)),
               soci::soci_error);  // foreign keys are on

  sql << "INSERT INTO rooms (kind, direct_key, last_activity_at, created_at) VALUES ('direct', '1:2', :a, :c)",
      soci::use(now), soci::use(now);
  long long room = 0;
  sql << "SELECT id FROM rooms WHERE direct_key = '1:2'", soci::into(room);
  EXPECT_THROW((sql << "INSERT INTO rooms (kind, direct_key, last_activity_at, created_at) "
                       "VALUES ('direct', '1:2', :a, :c)",
                soci::use(now), soci::use(now)),
               soci::soci_error);  // one 1:1 room per pair
  EXPECT_THROW((sql << "INSERT INTO rooms (kind, last_activity_at, created_at) VALUES ('channel', :a, :c)",
                soci::use(now), soci::use(now)),
               soci::soci_error);

  for (auto member : {alice, bob}) {
    sql << "INSERT INTO room_members (room_id, member_id, role, joined_at) VALUES (:r, :m, 'member', :t)",
        soci::use(room), soci::use(member), soci::use(now);
  }
  int members = 0;
  sql << "SELECT COUNT(*) FROM room_members WHERE room_id = :r AND read_seq = 0 AND muted = 0", soci::use(room),
      soci::into(members);
  EXPECT_EQ(members, 2);

  sql << "INSERT INTO messages (room_id, seq, sender_id, type, body, client_msg_id, created_at) "
         "VALUES (:r, 1, :s, 'text', 'hi', 'c-1', :t)",
      soci::use(room), soci::use(alice), soci::use(now);
  EXPECT_THROW((sql << "INSERT INTO messages (room_id, seq, sender_id, type, body, created_at) "
                       "VALUES (:r, 1, :s, 'text', 'dup seq', :t)",
                soci::use(room), soci::use(bob), soci::use(now)),
               soci::soci_error);  // one message per (room, seq)
  EXPECT_THROW((sql << "INSERT INTO messages (room_id, seq, sender_id, type, body, client_msg_id, created_at) "
                       "VALUES (:r, 2, :s, 'text', 'retry', 'c-1', :t)",
                soci::use(room), soci::use(alice), soci::use(now)),
               soci::soci_error);  // a retried clientMsgId cannot store twice
  EXPECT_THROW((sql << "INSERT INTO messages (room_id, seq, sender_id, type, body, created_at) "
                       "VALUES (:r, 2, :s, 'sticker', 'no such type', :t)",
                soci::use(room), soci::use(alice), soci::use(now)),
               soci::soci_error);  // four types, no others

  sql << "DELETE FROM rooms WHERE id = :r", soci::use(room);
  int left = -1;
  sql << "SELECT COUNT(*) FROM messages", soci::into(left);
  EXPECT_EQ(left, 0);  // a room's messages and memberships go with it
}

TEST_P(MigrationsTest, PingAnswers) { EXPECT_NO_THROW(database_->ping()); }

INSTANTIATE_TEST_SUITE_P(Engines, MigrationsTest, ::testing::Values(Engine::sqlite, Engine::mysql),
                         testing::engine_name);

/// A message's insert is the hottest statement there is; on SQLite its plan should build
/// no temporary table (a constant IN list in a CHECK did, on every row, until version 4).
TEST(SqliteSchemaTest, StoringAMessageBuildsNoTemporaryTable) {
  ScratchDatabase scratch(Engine::sqlite);
  Database database(scratch.url(), 1, 5000);
  migrate(database);
  soci::session sql(database.pool());
  soci::rowset<soci::row> plan = sql.prepare << "EXPLAIN INSERT INTO messages "
                                                "(room_id, seq, sender_id, type, body, client_msg_id, created_at) "
                                                "VALUES (1, 1, 1, 'text', 'hi', 'c-1', 1)";
  int steps = 0;
  for (const auto& step : plan) {
    ++steps;
    EXPECT_NE(step.get<std::string>(1), "OpenEphemeral");  // (addr, opcode, p1, ...)
  }
  EXPECT_GT(steps, 0);
}

}  // namespace
}  // namespace modu::storage

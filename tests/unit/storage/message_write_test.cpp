// The message write path on SQLite and MariaDB: per-room seq with no gaps and no
// duplicates, idempotent retries, and group commit under many concurrent senders.
#include "domain/chat/chat_service.hpp"
#include "domain/chat/group_commit.hpp"
#include "domain/room/unread_news.hpp"
#include "storage/migrations.hpp"
#include "storage/rows.hpp"
#include "storage/sql_message_repository.hpp"
#include "storage/sql_room_repository.hpp"
#include "storage/write_transaction.hpp"
#include "support/databases.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <numeric>
#include <set>
#include <sstream>
#include <thread>

namespace modu::storage {
namespace {

using testing::Engine;
using testing::ScratchDatabase;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795613705895));

class MessageWriteTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    MODU_REQUIRE_DATABASE(scratch_);
    database_ = std::make_unique<Database>(scratch_.url(), 4, 5000);
    migrate(*database_);
    soci::session sql(database_->pool());
    const long long now = 1795613705895;
    for (int i = 1; i <= 5; ++i) {
      const std::string email = "m" + std::to_string(i) + "@example.com";
      sql << "INSERT INTO members (email, password_hash, nickname, created_at, updated_at) VALUES (:e, 'h', 'n', :c, "
             ":u)",
          soci::use(email), soci::use(now), soci::use(now);
    }
    // Rooms 1-3 are groups of members 1-4; room 4 is the 1:1 room of members 1 and 2,
    // and member 2 blocked member 1; member 5 is in no room.
    for (int i = 1; i <= 4; ++i) {
      const std::string kind = i == 4 ? "direct" : "group";
      sql << "INSERT INTO rooms (kind, last_activity_at, created_at) VALUES (:k, :a, :c)", soci::use(kind),
          soci::use(now), soci::use(now);
      for (long long member = 1; member <= (i == 4 ? 2 : 4); ++member) {
        const long long room = i;
        sql << "INSERT INTO room_members (room_id, member_id, role, joined_at) VALUES (:r, :m, 'member', :j)",
            soci::use(room), soci::use(member), soci::use(now);
      }
    }
    sql << "INSERT INTO friends (owner_id, friend_id, blocked, created_at) VALUES (2, 1, 1, :c)", soci::use(now);
  }

  /// Stores a batch under the chat's rule on who may send.
  std::vector<Result<chat::Appended>> store(const std::vector<chat::NewMessage>& batch, chat::TimePoint at = kNow) {
    return SqlMessageRepository(*database_).append_batch(batch, at, chat::sender_rule);
  }

  chat::NewMessage text(long long room, long long sender, std::string body,
                        std::optional<std::string> client_id = std::nullopt) {
    return {RoomId(room), MemberId(sender), chat::MessageType::text, std::move(body), std::move(client_id)};
  }

  std::vector<long long> seqs_of(long long room) {
    soci::session sql(database_->pool());
    std::vector<long long> seqs;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT seq FROM messages WHERE room_id = :r ORDER BY seq", soci::use(room));
    for (const auto& row : rows) seqs.push_back(RowReader(row).integer());
    return seqs;
  }

  long long last_seq_of(long long room) {
    soci::session sql(database_->pool());
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT last_seq FROM rooms WHERE id = :r", soci::use(room));
    for (const auto& row : rows) return RowReader(row).integer();
    return -1;
  }

  ScratchDatabase scratch_{GetParam()};
  std::unique_ptr<Database> database_;
};

TEST_P(MessageWriteTest, EachRoomCountsOneTwoThree) {
  auto first = store({text(1, 1, "a"), text(2, 1, "x"), text(1, 2, "b")});
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0]->message.seq, 1);
  EXPECT_EQ(first[1]->message.seq, 1);
  EXPECT_EQ(first[2]->message.seq, 2);
  EXPECT_EQ(first[2]->message.created_at, kNow);
  auto second = store({text(1, 3, "c")});
  EXPECT_EQ(second[0]->message.seq, 3);
  EXPECT_NE(second[0]->message.id, first[0]->message.id);
  EXPECT_EQ(seqs_of(1), (std::vector<long long>{1, 2, 3}));
  EXPECT_EQ(last_seq_of(1), 3);
  EXPECT_EQ(last_seq_of(3), 0);
}

TEST_P(MessageWriteTest, ARetriedClientMessageIdReturnsTheFirstMessage) {
  auto first = store({text(1, 1, "hello", "c-1")});
  auto retried =
      store({text(1, 1, "hello", "c-1"), text(1, 1, "hello", "c-1"), text(1, 2, "other sender, same id", "c-1")},
            kNow + std::chrono::seconds(1));
  EXPECT_EQ(retried[0]->message.id, first[0]->message.id);
  EXPECT_EQ(retried[0]->message.seq, 1);
  EXPECT_EQ(retried[0]->message.created_at, kNow);
  EXPECT_EQ(retried[1]->message.id, first[0]->message.id);
  EXPECT_EQ(retried[2]->message.seq, 2);  // ids are per sender
  // An id is its exact bytes: case and trailing spaces make another id, on every engine.
  for (const auto* other_id : {"C-1", "c-1 "}) {
    auto other = store({text(1, 1, "another", other_id)});
    ASSERT_TRUE(other[0]) << other_id;
    EXPECT_FALSE(other[0]->repeat) << other_id;
    EXPECT_EQ(other[0]->message.client_msg_id, other_id);
  }
  EXPECT_FALSE(first[0]->repeat);
  EXPECT_TRUE(retried[0]->repeat);
  EXPECT_TRUE(retried[1]->repeat);
  EXPECT_FALSE(retried[2]->repeat);
  // Twice in one batch, never stored before.
  auto both = store({text(2, 1, "x", "c-9"), text(2, 1, "x", "c-9")});
  EXPECT_EQ(both[0]->message.id, both[1]->message.id);
  EXPECT_FALSE(both[0]->repeat);
  EXPECT_TRUE(both[1]->repeat);
  EXPECT_EQ(seqs_of(2), (std::vector<long long>{1}));
}

/// KakaoTalk's number beside a message, as the batch leaves its room, is what history
/// would count from the read positions then: every member but the sender and those whose
/// own later message (or action) in the batch shows they read it.
TEST_P(MessageWriteTest, EachStoredMessageCountsTheMembersWhoHaveNotReadIt) {
  SqlRoomRepository rooms(*database_);
  const auto unread_now = [&](const chat::Message& message) {
    const auto members = rooms.members(message.room);
    return static_cast<std::size_t>(std::count_if(members.begin(), members.end(), [&](const room::Membership& m) {
      return m.read_seq < message.seq && m.member != message.sender;
    }));
  };
  chat::NewMessage renamed{.room = RoomId(1), .type = chat::MessageType::system, .body = "{}", .read_by = MemberId(4)};
  auto batch = store(
      {text(1, 1, "a", "c-a"), text(1, 2, "b"), text(2, 3, "x"), text(1, 1, "c"), renamed, text(1, 1, "a", "c-a")});
  ASSERT_EQ(batch.size(), 6u);
  // Room 1 after the batch: members 1, 2 and 4 have read up to seqs 3, 2 and 4 (member 4
  // acted at 4), member 3 nothing.
  const std::vector<std::size_t> expected{1, 1, 3, 2, 3, 1};  // seq 1, 2, room 2's 1, seq 3, 4, seq 1 again
  for (std::size_t i = 0; i < batch.size(); ++i) {
    ASSERT_TRUE(batch[i]) << i;
    EXPECT_EQ(batch[i]->unread_member_count, expected[i]) << "message " << i;
    EXPECT_EQ(batch[i]->unread_member_count, unread_now(batch[i]->message)) << "message " << i;
  }
  // Whose read position each moved: a sender's newest of the batch, and the actor's.
  const std::vector<bool> moved{false, true, true, true, true, false};
  for (std::size_t i = 0; i < batch.size(); ++i) EXPECT_EQ(batch[i]->read_moved, moved[i]) << "message " << i;
  // An actor no longer in the room (member 5 is in none) reads nothing there.
  chat::NewMessage gone{.room = RoomId(1), .type = chat::MessageType::system, .body = "{}", .read_by = MemberId(5)};
  auto told = store({gone});
  ASSERT_TRUE(told[0]);
  EXPECT_FALSE(told[0]->read_moved);

  // Sent again later, a message is counted as it stands then: member 3 has read it since.
  ASSERT_EQ(rooms.advance_read(RoomId(1), MemberId(3), 1), 1);
  auto again = store({text(1, 1, "a", "c-a"), text(1, 2, "e")});
  ASSERT_TRUE(again[0] && again[1]);
  EXPECT_TRUE(again[0]->repeat);
  EXPECT_EQ(again[0]->unread_member_count, 0u);
  EXPECT_EQ(again[1]->unread_member_count, 3u);
  EXPECT_EQ(again[1]->unread_member_count, unread_now(again[1]->message));
}

TEST_P(MessageWriteTest, AMissingRoomFailsAloneNotItsBatch) {
  auto results = store({text(1, 1, "a"), text(999, 1, "nowhere"), text(1, 1, "b")});
  EXPECT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().errc, Errc::not_found);
  EXPECT_EQ(results[2]->message.seq, 2);
}

/// Who may send is decided in the storing transaction: a refused sender fails alone.
TEST_P(MessageWriteTest, OnlyMembersNotBlockedByTheirPeerAreStored) {
  auto results = store(
      {text(1, 5, "not a member"), text(4, 1, "blocked"), text(4, 2, "the blocker may write"), text(1, 1, "a member")});
  ASSERT_FALSE(results[0]);
  EXPECT_EQ(results[0].error().errc, Errc::forbidden);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().errc, Errc::forbidden);
  EXPECT_EQ(results[1].error().message, "this member does not accept contact from you");
  EXPECT_EQ(results[2]->message.seq, 1);
  EXPECT_EQ(results[3]->message.seq, 1);
  EXPECT_EQ(seqs_of(4), (std::vector<long long>{1}));
  // Blocking holds only in 1:1 rooms: in a group, member 1 still reaches member 2.
  EXPECT_TRUE(store({text(2, 1, "group")})[0]);
}

/// Leaving a 1:1 room hides it until the friend writes again: their next message brings
/// the one who left back, with that message unread; a block still holds while they are away.
TEST_P(MessageWriteTest, WritingToAOneToOneRoomTheOtherLeftBringsThemBack) {
  SqlRoomRepository rooms(*database_);
  const auto direct = rooms.find_or_create_direct(MemberId(3), MemberId(4), kNow).room.id;
  ASSERT_TRUE(store({text(direct.value(), 4, "see you")})[0]);
  ASSERT_TRUE(rooms.remove_member(direct, MemberId(4)));

  auto back = store({text(direct.value(), 3, "are you there?"), text(direct.value(), 3, "hello?")});
  ASSERT_TRUE(back[0] && back[1]);
  EXPECT_EQ(back[0]->brought_back, MemberId(4));
  EXPECT_FALSE(back[1]->brought_back);          // once is enough
  EXPECT_EQ(back[0]->unread_member_count, 1u);  // the one brought back has read neither
  EXPECT_EQ(back[1]->unread_member_count, 1u);
  auto returned = rooms.membership(direct, MemberId(4));
  ASSERT_TRUE(returned);
  EXPECT_EQ(returned->read_seq, back[0]->message.seq - 1);  // both new messages are unread
  EXPECT_FALSE(store({text(direct.value(), 4, "I am back")})[0]->brought_back);

  // Member 2 blocked member 1, then left their 1:1 room: member 1 still cannot reach them.
  const auto blocked = rooms.find_or_create_direct(MemberId(1), MemberId(2), kNow).room.id;
  ASSERT_TRUE(rooms.remove_member(blocked, MemberId(2)));
  auto refused = store({text(blocked.value(), 1, "let me in")});
  ASSERT_FALSE(refused[0]);
  EXPECT_EQ(refused[0].error().errc, Errc::forbidden);
  EXPECT_FALSE(rooms.membership(blocked, MemberId(2)));

  // Nobody comes back to a room both left, and a group brings no one back.
  ASSERT_TRUE(rooms.remove_member(blocked, MemberId(1)));
  EXPECT_FALSE(store({text(blocked.value(), 1, "anyone?")})[0]);
  EXPECT_TRUE(rooms.remove_member(RoomId(1), MemberId(4)));
  EXPECT_FALSE(store({text(1, 1, "group")})[0]->brought_back);
  EXPECT_FALSE(rooms.membership(RoomId(1), MemberId(4)));
}

/// "Left" is stored after the leave, and only while the one who left is still away: a
/// friend's message that brought them back first, in an earlier batch or earlier in the
/// same one, leaves nothing to tell.
TEST_P(MessageWriteTest, ALeaveIsToldOnlyWhileTheMemberIsAway) {
  SqlRoomRepository rooms(*database_);
  const auto direct = rooms.find_or_create_direct(MemberId(3), MemberId(4), kNow).room.id;
  const auto left = [&] {
    return chat::NewMessage{
        .room = direct, .type = chat::MessageType::system, .body = "left", .only_while_away = MemberId(4)};
  };
  ASSERT_TRUE(rooms.remove_member(direct, MemberId(4)));
  EXPECT_TRUE(store({left()})[0]);

  auto same_batch = store({text(direct.value(), 3, "come back"), left()});
  ASSERT_TRUE(same_batch[0]);
  EXPECT_EQ(same_batch[0]->brought_back, MemberId(4));
  ASSERT_FALSE(same_batch[1]);
  EXPECT_EQ(same_batch[1].error().errc, Errc::conflict);

  auto later = store({left()});
  ASSERT_FALSE(later[0]);
  EXPECT_EQ(later[0].error().errc, Errc::conflict);
  EXPECT_EQ(seqs_of(direct.value()), (std::vector<long long>{1, 2}));
}

/// On MySQL a batch sees membership as it is once it holds all its rooms: a member who
/// left a room while the batch waited for that room's lock cannot post to it. (A read
/// that came before the wait, a 1:1 room's head count say, would fix an older snapshot.)
TEST_P(MessageWriteTest, ABatchThatWaitedForARoomSeesTheLeaveItWaitedFor) {
  if (GetParam() != Engine::mysql) GTEST_SKIP() << "SQLite has one writer at a time: nothing waits mid-batch";
  SqlRoomRepository rooms(*database_);
  {
    soci::session sql(database_->pool());
    sql << "UPDATE rooms SET direct_key = '1:2' WHERE id = 4";  // a real 1:1 room, locked first
  }
  const auto group = rooms.create_group(MemberId(3), {MemberId(5)}, std::nullopt, kNow).id;  // after room 4
  std::atomic<bool> locked = false;
  std::thread leave([&] {
    soci::session sql(database_->pool());
    WriteTransaction transaction(sql, database_->dialect());
    long long id = 0;
    const long long room = group.value();
    sql << locking("SELECT id FROM rooms WHERE id = :room", database_->dialect()), soci::use(room), soci::into(id);
    sql << "DELETE FROM room_members WHERE room_id = :room AND member_id = 5", soci::use(room);
    locked = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the batch below waits meanwhile
    transaction.commit();
  });
  while (!locked) std::this_thread::yield();
  auto results = store({text(4, 2, "in the 1:1 room"), text(group.value(), 5, "after leaving")});
  leave.join();
  EXPECT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().errc, Errc::forbidden);
}

/// What a committer tells, in the order it tells it.
class ToldInOrder final : public events::NoPublisher {
 public:
  void joined(RoomId room, MemberId member, MemberId by) override {
    told.push_back(fmt::format("{} joined {} (by {})", member.value(), room.value(), by.value()));
  }
  void message_stored(const chat::CountedMessage& stored) override {
    told.push_back(fmt::format("seq {}", stored.message.seq));
  }
  std::vector<std::string> told;
};

/// The friend who comes back hears of the room first, so that its news reaches them.
TEST_P(MessageWriteTest, TheCommitterTellsTheReturningFriendBeforeTheMessage) {
  SqlMessageRepository messages(*database_);
  SqlRoomRepository rooms(*database_);
  const auto direct = rooms.find_or_create_direct(MemberId(3), MemberId(4), kNow).room.id;
  ASSERT_TRUE(rooms.remove_member(direct, MemberId(4)));
  SystemClock clock;
  ToldInOrder publisher;
  WorkerPool workers(1);
  room::UnreadNews unread_news(rooms, publisher, workers, std::chrono::milliseconds(10));
  chat::GroupCommit commit(messages, workers, clock, 256, chat::sender_rule, publisher, unread_news);
  boost::asio::io_context loop;
  boost::asio::co_spawn(
      loop,
      [&]() -> boost::asio::awaitable<void> {
        EXPECT_TRUE(co_await commit.append(text(direct.value(), 3, "are you there?")));
        EXPECT_TRUE(co_await commit.append(text(direct.value(), 3, "hello?")));
      },
      boost::asio::detached);
  loop.run();
  unread_news.stop();
  workers.stop();
  EXPECT_EQ(publisher.told,
            (std::vector<std::string>{fmt::format("4 joined {} (by 3)", direct.value()), "seq 1", "seq 2"}));
}

/// Two writers with pools of their own, as two server instances would be, and 64
/// senders each on two I/O threads: every room ends with seqs 1..n exactly.
TEST_P(MessageWriteTest, ManyConcurrentSendersNeverShareOrSkipASeq) {
  constexpr int kSenders = 64;
  constexpr int kEach = 20;
  struct Instance {
    std::unique_ptr<Database> database;
    std::unique_ptr<SqlMessageRepository> messages;
    std::unique_ptr<SqlRoomRepository> rooms;
    std::unique_ptr<WorkerPool> workers;
    std::unique_ptr<room::UnreadNews> unread_news;
    std::unique_ptr<chat::GroupCommit> commit;
  };
  SystemClock clock;
  events::NoPublisher publisher;
  std::vector<Instance> instances(2);
  for (auto& instance : instances) {
    instance.database = std::make_unique<Database>(scratch_.url(), 4, 10000);
    instance.messages = std::make_unique<SqlMessageRepository>(*instance.database);
    instance.rooms = std::make_unique<SqlRoomRepository>(*instance.database);
    instance.workers = std::make_unique<WorkerPool>(4);
    instance.unread_news = std::make_unique<room::UnreadNews>(*instance.rooms, publisher, *instance.workers,
                                                              std::chrono::milliseconds(10));
    instance.commit = std::make_unique<chat::GroupCommit>(*instance.messages, *instance.workers, clock, 256,
                                                          chat::sender_rule, publisher, *instance.unread_news);
  }

  std::mutex mutex;
  std::map<long long, std::vector<long long>> seqs_seen;  // room -> seqs the senders were given
  int failures = 0;
  std::vector<std::unique_ptr<boost::asio::io_context>> loops;
  for (int t = 0; t < 2; ++t) loops.push_back(std::make_unique<boost::asio::io_context>(1));
  for (int s = 0; s < kSenders; ++s) {
    auto& instance = instances[s % 2];
    boost::asio::co_spawn(
        *loops[s % 2],
        [&, s]() -> boost::asio::awaitable<void> {
          for (int i = 0; i < kEach; ++i) {
            const long long room = 1 + (s + i) % 3;
            auto stored = co_await instance.commit->append(
                text(room, 1 + s % 4, "m", "s" + std::to_string(s) + "-" + std::to_string(i)));
            std::lock_guard lock(mutex);
            if (stored) {
              seqs_seen[room].push_back(stored->message.seq);
            } else {
              ++failures;
            }
          }
        },
        boost::asio::detached);
  }
  std::vector<std::thread> threads;
  for (auto& loop : loops) threads.emplace_back([&loop] { loop->run(); });
  for (auto& thread : threads) thread.join();
  for (auto& instance : instances) instance.workers->stop();  // the committers finish before they go

  EXPECT_EQ(failures, 0);
  long long total = 0;
  for (long long room = 1; room <= 3; ++room) {
    auto stored = seqs_of(room);
    std::vector<long long> expected(stored.size());
    std::iota(expected.begin(), expected.end(), 1);
    EXPECT_EQ(stored, expected) << "room " << room << ": a gap or a duplicate";
    EXPECT_EQ(last_seq_of(room), static_cast<long long>(stored.size()));
    auto seen = seqs_seen[room];
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, expected) << "room " << room << ": senders were told different seqs than stored";
    total += static_cast<long long>(stored.size());
  }
  EXPECT_EQ(total, kSenders * kEach);
}

/// Two instances writing to different rooms never wait for each other: on MySQL a write
/// must not lock index ranges beyond its own room (a shared gap lock taken by an INSERT ...
/// WHERE NOT EXISTS once made such writers deadlock, and their batches run again).
TEST_P(MessageWriteTest, InstancesWritingToDifferentRoomsNeverRetry) {
  std::ostringstream log;
  const auto before = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  Database other_instance(scratch_.url(), 4, 5000);
  std::atomic<int> failed = 0;
  const auto write = [&](Database& database, long long room, long long sender, bool ids_rising) {
    SqlMessageRepository messages(database);
    for (int batch = 0; batch < 150; ++batch) {
      std::vector<chat::NewMessage> messages_of_batch;
      for (int i = 0; i < 4; ++i) {
        const int n = batch * 4 + i;
        messages_of_batch.push_back(text(room, sender, "m", fmt::format("c{:06d}", ids_rising ? n : 999999 - n)));
      }
      try {
        for (const auto& result : messages.append_batch(messages_of_batch, kNow, chat::sender_rule)) {
          if (!result) ++failed;
        }
      } catch (const std::exception&) {
        ++failed;
      }
    }
  };
  std::thread one([&] { write(*database_, 1, 4, true); });
  std::thread two([&] { write(other_instance, 2, 1, false); });
  one.join();
  two.join();
  spdlog::set_default_logger(before);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(log.str().find("retrying"), std::string::npos) << log.str().substr(0, 2000);
  EXPECT_EQ(seqs_of(1).size(), 600u);
  EXPECT_EQ(seqs_of(2).size(), 600u);
}

INSTANTIATE_TEST_SUITE_P(Engines, MessageWriteTest, ::testing::Values(Engine::sqlite, Engine::mysql),
                         testing::engine_name);

}  // namespace
}  // namespace modu::storage

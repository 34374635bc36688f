// How unread news is paced: a quiet room's message told at once, a burst told once more
// with its newest message when the interval ends, on SQLite (the positions are real).
#include "domain/room/unread_news.hpp"

#include "storage/migrations.hpp"
#include "storage/sql_member_repository.hpp"
#include "storage/sql_room_repository.hpp"
#include "support/databases.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <thread>

namespace modu::room {
namespace {

using testing::Engine;
using testing::ScratchDatabase;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795613705895));
constexpr std::chrono::milliseconds kInterval{300};

/// Keeps what is told of unread counts; the rest of the live world is not asked about.
class RecordingPublisher final : public events::NoPublisher {
 public:
  struct Told {
    std::int64_t last_seq;
    std::vector<std::pair<MemberId, std::int64_t>> read_positions;
  };

  void unread_changed(const chat::Message& last,
                      const std::vector<std::pair<MemberId, std::int64_t>>& read_positions) override {
    std::lock_guard lock(mutex_);
    told_.push_back({last.seq, read_positions});
    changed_.notify_all();
  }
  /// What was told once `count` tellings came, or after `patience`.
  std::vector<Told> wait_for(std::size_t count, std::chrono::milliseconds patience = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, patience, [&] { return told_.size() >= count; });
    return told_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Told> told_;
};

class UnreadNewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MODU_REQUIRE_DATABASE(scratch_);
    database_ = std::make_unique<storage::Database>(scratch_.url(), 4, 5000);
    storage::migrate(*database_);
    storage::SqlMemberRepository members(*database_);
    const auto amy = members.create({"amy@example.com", "h", "amy", kNow})->id;
    const auto ben = members.create({"ben@example.com", "h", "ben", kNow})->id;
    rooms_ = std::make_unique<storage::SqlRoomRepository>(*database_);
    room_ = rooms_->create_group(amy, {ben}, std::nullopt, kNow).id;
    news_ = std::make_unique<UnreadNews>(*rooms_, publisher_, workers_, kInterval);
  }
  void TearDown() override {
    if (news_) news_->stop();
    workers_.stop();
  }

  chat::Message message(std::int64_t seq) {
    return {MessageId(seq), room_, seq, std::nullopt, chat::MessageType::text, "hi", std::nullopt, kNow};
  }

  ScratchDatabase scratch_{Engine::sqlite};
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<storage::SqlRoomRepository> rooms_;
  RecordingPublisher publisher_;
  WorkerPool workers_{2};
  std::unique_ptr<UnreadNews> news_;
  RoomId room_;
};

TEST_F(UnreadNewsTest, AQuietRoomIsToldAtOnceABurstOnceMoreWithItsNewestMessage) {
  const auto start = std::chrono::steady_clock::now();
  news_->message_stored(message(1));
  auto told = publisher_.wait_for(1);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, kInterval) << "the first message waited";
  EXPECT_EQ(told[0].last_seq, 1);
  EXPECT_EQ(told[0].read_positions.size(), 2u);  // both members, with where they read

  // Within the interval: one telling when it ends, of the newest.
  for (std::int64_t seq = 2; seq <= 5; ++seq) news_->message_stored(message(seq));
  news_->message_stored(message(3));  // late news of an older one changes nothing
  told = publisher_.wait_for(2);
  ASSERT_EQ(told.size(), 2u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, kInterval);
  EXPECT_EQ(told[1].last_seq, 5);

  // A whole interval without messages, and the room is quiet again: told at once.
  std::this_thread::sleep_for(3 * kInterval);
  EXPECT_EQ(publisher_.wait_for(2).size(), 2u) << "told with nothing new";
  const auto quiet = std::chrono::steady_clock::now();
  news_->message_stored(message(6));
  told = publisher_.wait_for(3);
  ASSERT_EQ(told.size(), 3u);
  EXPECT_LT(std::chrono::steady_clock::now() - quiet, kInterval);
  EXPECT_EQ(told[2].last_seq, 6);
}

TEST_F(UnreadNewsTest, StoppingEndsTheIntervalsAtOnce) {
  news_->message_stored(message(1));
  publisher_.wait_for(1);
  news_->message_stored(message(2));  // waits for the interval
  const auto start = std::chrono::steady_clock::now();
  news_->stop();
  workers_.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, kInterval);
  EXPECT_EQ(publisher_.wait_for(2, 2 * kInterval).size(), 1u) << "told after stop";
}

}  // namespace
}  // namespace modu::room

#include "domain/room/unread_news.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace modu::room {

UnreadNews::UnreadNews(RoomRepository& rooms, events::Publisher& publisher, WorkerPool& workers,
                       std::chrono::milliseconds interval)
    : rooms_(rooms), publisher_(publisher), workers_(workers), telling_(workers.make_strand()), interval_(interval) {}

void UnreadNews::message_stored(const chat::Message& message) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    auto [entry, quiet] = rooms_in_news_.try_emplace(message.room);
    auto& newest = entry->second.newest;
    if (!newest || newest->seq < message.seq) newest = message;
    // Otherwise the room is being told or waits out its interval: that telling takes this.
    if (!quiet) return;
  }
  workers_.post(telling_, [this, room = message.room] { tell(room); });
}

void UnreadNews::stop() {
  // On the strand: the timers are only touched there.
  boost::asio::post(telling_, [this] {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [room, entry] : rooms_in_news_) {
      if (entry.interval) entry.interval->cancel();
    }
    rooms_in_news_.clear();
  });
}

void UnreadNews::tell(RoomId room) {
  std::optional<chat::Message> newest;
  {
    std::lock_guard lock(mutex_);
    auto entry = rooms_in_news_.find(room);
    if (stopped_ || entry == rooms_in_news_.end()) return;
    newest = std::exchange(entry->second.newest, std::nullopt);
    if (!newest) {
      rooms_in_news_.erase(entry);  // a quiet interval: the next message is told at once
      return;
    }
  }
  try {
    const auto positions = rooms_.read_positions(room);
    if (!positions.empty()) publisher_.unread_changed(*newest, positions);
  } catch (const std::exception& e) {
    spdlog::warn("unread counts of room {} not told: {}", room.value(), e.what());
  }
  auto interval = std::make_shared<boost::asio::steady_timer>(telling_, interval_);
  {
    std::lock_guard lock(mutex_);
    auto entry = rooms_in_news_.find(room);
    if (stopped_ || entry == rooms_in_news_.end()) return;
    entry->second.interval = interval;
  }
  interval->async_wait([this, room](boost::system::error_code ec) {
    if (!ec) tell(room);
  });
}

}  // namespace modu::room

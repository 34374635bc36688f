#include "domain/room/unread_news.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <memory>

namespace modu::room {

UnreadNews::UnreadNews(RoomRepository& rooms, events::Publisher& publisher, WorkerPool& workers,
                       std::chrono::milliseconds interval)
    : rooms_(rooms), publisher_(publisher), workers_(workers), telling_(workers.make_strand()), interval_(interval) {}

void UnreadNews::message_stored(const chat::Message& message) {
  {
    std::lock_guard lock(mutex_);
    auto [room, quiet] = rooms_in_news_.try_emplace(message.room);
    auto& newest = room->second;
    if (!newest || newest->seq < message.seq) newest = message;
    // Otherwise the room is being told or waits out its interval: that telling takes this.
    if (!quiet) return;
  }
  workers_.post(telling_, [this, room = message.room] { tell(room); });
}

void UnreadNews::tell(RoomId room) {
  std::optional<chat::Message> newest;
  {
    std::lock_guard lock(mutex_);
    auto found = rooms_in_news_.find(room);
    if (found == rooms_in_news_.end()) return;
    newest = std::exchange(found->second, std::nullopt);
    if (!newest) {
      rooms_in_news_.erase(found);  // a quiet interval: the next message is told at once
      return;
    }
  }
  try {
    auto unread = rooms_.read_positions(room);
    for (auto& [member, count] : unread) count = std::max<std::int64_t>(0, newest->seq - count);  // read seq -> unread
    if (!unread.empty()) publisher_.unread_changed(*newest, unread);
  } catch (const std::exception& e) {
    spdlog::warn("unread counts of room {} not told: {}", room.value(), e.what());
  }
  auto wait = std::make_shared<boost::asio::steady_timer>(telling_, interval_);
  wait->async_wait([this, room, wait](boost::system::error_code ec) {
    if (!ec) tell(room);
  });
}

}  // namespace modu::room

#pragma once

#include "core/worker_pool.hpp"
#include "domain/chat/message.hpp"
#include "domain/events/publisher.hpp"
#include "domain/room/room_repository.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace modu::room {

/// Tells every member of a room their unread count there when messages arrive, on their
/// own queue: a room list shows its badges without watching every room's topic.
///
/// A room's first message after a quiet interval is told at once; what follows within
/// `interval` is told once when it ends, with the newest message. So a busy room costs a
/// read of its members' positions and one event a member per interval, however many
/// messages it takes.
/// @par Thread safety
/// `message_stored` never blocks (it is called by the committer); the telling runs on the
/// worker pool, one room at a time.
/// @par Lifetime
/// Call `stop()`, then stop the worker pool, before destroying this.
class UnreadNews {
 public:
  UnreadNews(RoomRepository& rooms, events::Publisher& publisher, WorkerPool& workers,
             std::chrono::milliseconds interval);

  /// A message was stored (committed) in its room.
  void message_stored(const chat::Message& message);

  /// Tells nothing more and ends the intervals being waited out, so that stopping the
  /// worker pool does not wait for them.
  void stop();

 private:
  /// A room being told, or waiting out its interval after a telling.
  struct Room {
    std::optional<chat::Message> newest;  ///< not yet told
    std::shared_ptr<boost::asio::steady_timer> interval;
  };

  /// Tells the room's members of its newest message, if one came since the last telling,
  /// then waits an interval before the next. Runs on `telling_`.
  void tell(RoomId room);

  RoomRepository& rooms_;
  events::Publisher& publisher_;
  WorkerPool& workers_;
  WorkerPool::Strand telling_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::unordered_map<RoomId, Room> rooms_in_news_;
  bool stopped_ = false;  ///< under `mutex_`
};

}  // namespace modu::room

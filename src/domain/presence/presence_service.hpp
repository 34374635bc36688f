#pragma once

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/worker_pool.hpp"
#include "domain/events/publisher.hpp"
#include "domain/friend/block_listener.hpp"
#include "domain/friend/block_rule.hpp"
#include "domain/presence/presence.hpp"
#include "domain/room/room_repository.hpp"

#include <mutex>
#include <unordered_set>

namespace modu::presence {

/// Online state, as the people who share a room with a member see it. A member is online
/// while at least one of their live connections is open; coming online and going offline
/// are told to everyone who shares a room of at most `max_room_members` with them (in
/// larger rooms the chatter would outweigh the news), and anyone who shares any room
/// with them may ask. Members they blocked are neither told nor answered; a block made
/// or lifted while both are connected is told to the other as going offline or as the
/// member's state now.
/// @par Thread safety
/// Safe from any thread. `connected` and `disconnected` never block (they are called from
/// I/O threads); `get` reads the repository: call it from the worker pool.
class PresenceService : public friends::BlockListener {
 public:
  PresenceService(PresenceStore& store, room::RoomRepository& rooms, friends::BlockRule& blocks,
                  events::Publisher& publisher, WorkerPool& workers, const Clock& clock, std::size_t max_room_members);

  /// A live connection of `member` opened (it authenticated).
  void connected(MemberId member);
  /// A live connection of `member` closed.
  void disconnected(MemberId member);

  /// `member`'s presence, for `viewer`: themselves or someone who shares a room with
  /// them and is not blocked by them. NOT_FOUND for anyone else, so that presence tells
  /// strangers nothing (and a blocked member no more than a stranger).
  Result<Presence> get(MemberId viewer, MemberId member);

  void block_changed(MemberId member, MemberId other, bool blocked) override;

 private:
  void tell_watchers(MemberId member);

  PresenceStore& store_;
  room::RoomRepository& rooms_;
  friends::BlockRule& blocks_;
  events::Publisher& publisher_;
  WorkerPool& workers_;
  WorkerPool::Strand telling_;
  const Clock& clock_;
  std::size_t max_room_members_;
  std::mutex mutex_;
  std::unordered_set<MemberId> waiting_;  ///< members whose watchers are yet to be told
};

}  // namespace modu::presence

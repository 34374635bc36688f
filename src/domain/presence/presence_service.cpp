#include "domain/presence/presence_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace modu::presence {

PresenceService::PresenceService(PresenceStore& store, room::RoomRepository& rooms, friends::BlockRule& blocks,
                                 events::Publisher& publisher, WorkerPool& workers, const Clock& clock,
                                 std::size_t max_room_members)
    : store_(store),
      rooms_(rooms),
      blocks_(blocks),
      publisher_(publisher),
      workers_(workers),
      telling_(workers.make_strand()),
      clock_(clock),
      max_room_members_(max_room_members) {}

void PresenceService::connected(MemberId member) {
  if (store_.connected(member)) tell_watchers(member);
}

void PresenceService::disconnected(MemberId member) {
  if (store_.disconnected(member, clock_.now())) tell_watchers(member);
}

void PresenceService::tell_watchers(MemberId member) {
  {
    std::lock_guard lock(mutex_);
    // Already waiting to be told: that job reads the state when it runs, so it tells
    // this change too.
    if (!waiting_.insert(member).second) return;
  }
  // Finding the watchers is SQL, so it leaves the I/O thread. The jobs run one at a time
  // (a strand) and each tells the state when it runs, not the change that started it:
  // however a member flaps, the last word every watcher gets is their current state.
  workers_.post(telling_, [this, member] {
    {
      std::lock_guard lock(mutex_);
      waiting_.erase(member);
    }
    try {
      auto watchers = rooms_.co_members(member, max_room_members_);
      if (watchers.empty()) return;
      const auto shut_out = blocks_.shut_out_by(member);
      std::erase_if(watchers, [&](MemberId watcher) {
        return std::find(shut_out.begin(), shut_out.end(), watcher) != shut_out.end();
      });
      if (!watchers.empty()) publisher_.presence_changed(store_.get(member), watchers);
    } catch (const std::exception& e) {
      spdlog::warn("presence of member {} not told: {}", member.value(), e.what());
    }
  });
}

void PresenceService::block_changed(MemberId member, MemberId other, bool blocked) {
  // On the strand, behind the jobs telling earlier changes, which read the block as it
  // was: `other` ends with what they may see now. Offline with no time, once blocked: all
  // a stranger would know.
  workers_.post(telling_, [this, member, other, blocked] {
    try {
      // Not connected, they see nothing live; a page they open later asks, and is answered.
      if (!store_.get(other).online || !rooms_.share_room(member, other)) return;
      publisher_.presence_changed(blocked ? Presence{member, false, std::nullopt} : store_.get(member), {other});
    } catch (const std::exception& e) {
      spdlog::warn("presence of member {} not told to member {}: {}", member.value(), other.value(), e.what());
    }
  });
}

Result<Presence> PresenceService::get(MemberId viewer, MemberId member) {
  if (viewer != member && (!rooms_.share_room(viewer, member) || !blocks_.can_reach(viewer, member))) {
    return Error::not_found("no such member");
  }
  return store_.get(member);
}

}  // namespace modu::presence

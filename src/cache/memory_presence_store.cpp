#include "cache/memory_presence_store.hpp"

namespace modu::cache {

bool MemoryPresenceStore::connected(MemberId member) {
  std::lock_guard lock(mutex_);
  return ++entries_[member].connections == 1;
}

bool MemoryPresenceStore::disconnected(MemberId member, std::chrono::system_clock::time_point at) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(member);
  if (it == entries_.end() || it->second.connections == 0) return false;
  auto& entry = it->second;
  if (--entry.connections > 0) return false;
  entry.last_seen_at = at;
  return true;
}

presence::Presence MemoryPresenceStore::get(MemberId member) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(member);
  if (it == entries_.end()) return {member};
  const bool online = it->second.connections > 0;
  return {member, online, online ? std::nullopt : it->second.last_seen_at};
}

}  // namespace modu::cache

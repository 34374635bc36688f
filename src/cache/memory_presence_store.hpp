#pragma once

#include "domain/presence/presence.hpp"

#include <mutex>
#include <unordered_map>

namespace modu::cache {

/// Presence in this process's memory: right for one instance; several instances share
/// one in Redis. A member who went offline keeps an entry for their last-seen time.
/// @par Thread safety
/// Safe from any thread.
class MemoryPresenceStore final : public presence::PresenceStore {
 public:
  bool connected(MemberId member) override;
  bool disconnected(MemberId member, std::chrono::system_clock::time_point at) override;
  presence::Presence get(MemberId member) const override;

 private:
  struct Entry {
    std::uint32_t connections = 0;
    std::optional<std::chrono::system_clock::time_point> last_seen_at;
  };

  mutable std::mutex mutex_;
  std::unordered_map<MemberId, Entry> entries_;
};

}  // namespace modu::cache

#include "cache/memory_deny_list.hpp"

#include <algorithm>

namespace modu::cache {

void MemoryDenyList::deny(const std::string& id, std::chrono::system_clock::time_point expires_at) {
  std::lock_guard lock(mutex_);
  entries_[id] = std::max(entries_[id], expires_at);
  if (entries_.size() >= sweep_at_) {
    const auto now = clock_.now();
    std::erase_if(entries_, [now](const auto& entry) { return entry.second <= now; });
    sweep_at_ = std::max<std::size_t>(1024, entries_.size() * 2);
  }
}

bool MemoryDenyList::denied(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  return it != entries_.end() && it->second > clock_.now();
}

}  // namespace modu::cache

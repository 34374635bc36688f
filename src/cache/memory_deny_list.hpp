#pragma once

#include "core/clock.hpp"
#include "domain/auth/deny_list.hpp"

#include <mutex>
#include <unordered_map>

namespace modu::cache {

/// The deny list in this process's memory: right for one instance; several instances
/// share one in Redis. Entries leave once past their expiry.
/// @par Thread safety
/// Safe from any thread.
class MemoryDenyList final : public auth::TokenDenyList {
 public:
  explicit MemoryDenyList(const Clock& clock) : clock_(clock) {}

  void deny(const std::string& id, std::chrono::system_clock::time_point expires_at) override;
  bool denied(const std::string& id) const override;

 private:
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::system_clock::time_point> entries_;
  std::size_t sweep_at_ = 1024;  ///< sweep out expired entries when the table reaches this size
};

}  // namespace modu::cache

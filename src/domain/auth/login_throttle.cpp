#include "domain/auth/login_throttle.hpp"

#include <algorithm>

namespace modu::auth {

void LoginThrottle::forget_old(Failures& failures, Clock::time_point now) const {
  const auto window = std::chrono::seconds(config_.window_seconds);
  while (!failures.empty() && failures.front() + window <= now) failures.pop_front();
}

std::optional<int> LoginThrottle::wait_for(std::unordered_map<std::string, Failures>& table, const std::string& key,
                                           int limit, Clock::time_point now) {
  auto it = table.find(key);
  if (it == table.end()) return std::nullopt;
  forget_old(it->second, now);
  if (it->second.empty()) {
    table.erase(it);
    return std::nullopt;
  }
  if (static_cast<int>(it->second.size()) < limit) return std::nullopt;
  // Free again when enough failures have left the window to drop below the limit.
  const auto frees_at = it->second[it->second.size() - limit] + std::chrono::seconds(config_.window_seconds);
  const auto wait = std::chrono::ceil<std::chrono::seconds>(frees_at - now).count();
  return std::max<int>(1, static_cast<int>(wait));
}

std::optional<int> LoginThrottle::begin_attempt(const std::string& email, const std::string& client) {
  std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  auto by_email = wait_for(by_email_, email, config_.max_failures_per_email, now);
  auto by_client = wait_for(by_client_, client, config_.max_failures_per_client, now);
  if (by_email || by_client) return std::max(by_email.value_or(0), by_client.value_or(0));
  by_email_[email].push_back(now);
  by_client_[client].push_back(now);
  sweep_if_large(now);
  return std::nullopt;
}

void LoginThrottle::succeeded(const std::string& email, const std::string& client) {
  std::lock_guard lock(mutex_);
  by_email_.erase(email);
  if (auto it = by_client_.find(client); it != by_client_.end() && !it->second.empty()) it->second.pop_back();
}

void LoginThrottle::sweep_if_large(Clock::time_point now) {
  // Someone trying a million made-up emails must not grow the tables for ever: now and
  // then, drop every key whose failures have all left the window.
  if (by_email_.size() + by_client_.size() < sweep_at_) return;
  for (auto* table : {&by_email_, &by_client_}) {
    for (auto it = table->begin(); it != table->end();) {
      forget_old(it->second, now);
      it = it->second.empty() ? table->erase(it) : std::next(it);
    }
  }
  sweep_at_ = std::max<std::size_t>(kSweepFloor, 2 * (by_email_.size() + by_client_.size()));
}

}  // namespace modu::auth

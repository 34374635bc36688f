#pragma once

#include "app/config.hpp"
#include "core/clock.hpp"

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace modu::auth {

/// Counts failed logins per email and per client address in a sliding window; past the
/// limit, a login is refused until the oldest failure leaves the window.
/// @par Thread safety
/// Safe from any thread.
class LoginThrottle {
 public:
  LoginThrottle(LoginThrottleConfig config, const Clock& clock) : config_(config), clock_(clock) {}

  /// Counts an attempt as a failure before the password is checked, so that attempts
  /// made in parallel cannot all slip past the limit; or, when either key is over its
  /// limit, the seconds to wait (and nothing is counted).
  std::optional<int> begin_attempt(const std::string& email, const std::string& client);
  /// The attempt succeeded: the email's failures are forgotten, and the address's
  /// count loses this attempt (one address may hold many accounts).
  void succeeded(const std::string& email, const std::string& client);

 private:
  using Failures = std::deque<Clock::time_point>;
  std::optional<int> wait_for(std::unordered_map<std::string, Failures>& table, const std::string& key, int limit,
                              Clock::time_point now);
  void forget_old(Failures& failures, Clock::time_point now) const;
  void sweep_if_large(Clock::time_point now);

  LoginThrottleConfig config_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Failures> by_email_;
  std::unordered_map<std::string, Failures> by_client_;
  static constexpr std::size_t kSweepFloor = 4096;
  std::size_t sweep_at_ = kSweepFloor;
};

}  // namespace modu::auth

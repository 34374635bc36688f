#pragma once

#include <atomic>
#include <chrono>

namespace modu {

/// Wall-clock time, injectable so that tests can move it (token expiry, uptime).
/// @par Thread safety
/// `now()` may be called from any thread.
class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;
};

class SystemClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::system_clock::now(); }
};

/// A clock that stands still until a test moves it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(time_point start) : now_(start.time_since_epoch().count()) {}
  time_point now() const override { return time_point(time_point::duration(now_.load())); }
  void advance(std::chrono::system_clock::duration by) { now_ += by.count(); }

 private:
  std::atomic<time_point::rep> now_;
};

}  // namespace modu

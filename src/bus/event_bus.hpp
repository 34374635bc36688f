#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace modu::bus {

/// Who an event is for: everyone watching a room, or one member's own queue.
struct Channel {
  enum class Kind { room, member };
  Kind kind;
  std::int64_t id;
  friend bool operator==(const Channel&, const Channel&) = default;
};

/// An event on its way to the connections that want it. The body is serialized once
/// and shared by every delivery.
struct Event {
  Channel channel;
  std::string type;                         ///< "message", "typing", "read", ...
  std::shared_ptr<const std::string> body;  ///< JSON
  /// A member who is not told, on any device: the one it is about, when it is news only
  /// to the others (that they are typing). A bus across instances carries it too.
  std::optional<std::int64_t> not_for;
};

/// Carries events from where they happen to where connections are held. In one process
/// that is a function call; across instances it is pub/sub (Redis).
/// @par Thread safety
/// `publish` may be called from any thread; `listen` before the first `publish`.
class EventBus {
 public:
  using Listener = std::function<void(const Event&)>;
  virtual ~EventBus() = default;
  virtual void publish(Event event) = 0;
  virtual void listen(Listener listener) = 0;
};

/// The embedded default: every event goes straight to this process's listeners.
class LocalEventBus final : public EventBus {
 public:
  void publish(Event event) override {
    for (const auto& listener : listeners_) listener(event);
  }
  void listen(Listener listener) override { listeners_.push_back(std::move(listener)); }

 private:
  std::vector<Listener> listeners_;
};

}  // namespace modu::bus

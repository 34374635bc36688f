#pragma once

#include "core/ids.hpp"

#include <chrono>
#include <optional>

namespace modu::presence {

/// Whether a member is connected live right now, and when they last were.
struct Presence {
  MemberId member;
  bool online = false;
  /// When their last connection closed; none while online, or if not seen since the
  /// store began.
  std::optional<std::chrono::system_clock::time_point> last_seen_at;
};

/// Who is online: a count of live connections per member. In this process's memory for
/// one instance; several instances share one in Redis.
/// @par Thread safety
/// Safe from any thread; never blocks on I/O for the in-memory store.
class PresenceStore {
 public:
  virtual ~PresenceStore() = default;

  /// One more live connection of `member`; true if it is their first (they came online).
  virtual bool connected(MemberId member) = 0;
  /// One connection fewer, closed at `at`; true if it was their last (they went offline).
  virtual bool disconnected(MemberId member, std::chrono::system_clock::time_point at) = 0;
  virtual Presence get(MemberId member) const = 0;
};

}  // namespace modu::presence

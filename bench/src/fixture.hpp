#pragma once

#include "http_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace modu::bench {

/// A member the bench signed up, with a live access token.
struct BenchMember {
  std::int64_t id = 0;
  std::string token;
};

/// A group room the bench opened.
struct BenchRoom {
  std::int64_t id = 0;
  std::vector<std::size_t> members;  ///< indices into Fixture::members, the creator first
};

struct FixtureSpec {
  std::string run_id;  ///< makes emails unique, so a run never meets an earlier run's data
  std::size_t members = 0;
  std::size_t rooms = 0;
  std::size_t room_size = 0;  ///< members of each room, the creator included; at least 3 (a group)
};

/// Who the bench is: its members and its rooms, made through the public API like any client.
struct Fixture {
  std::vector<BenchMember> members;
  std::vector<BenchRoom> rooms;
};

/// `seconds` as whole milliseconds.
inline std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

/// A fresh run id: hex, so it never holds the '.' that separates clientMsgId parts.
std::string new_run_id();

using SetupTask = std::function<boost::asio::awaitable<void>(HttpConnection&, std::size_t)>;

/// Runs `task(connection, i)` for every i below `count`, `parallel` at a time, each
/// worker with a connection of its own; rethrows the first failure.
void for_each_parallel(const Target& target, std::size_t count, std::size_t parallel, const SetupTask& task);

/// Signs up and logs in `spec.members` new members, then opens `spec.rooms` group rooms.
/// Room r holds members r*k, r*k+1, ... (mod the member count), k = room_size, so every
/// member sits in about rooms*k/members rooms. Hashing passwords (argon2id) is slow by
/// design, so only a few requests run at a time. Throws std::runtime_error naming the
/// step and quoting the server's reply when one fails.
Fixture build_fixture(const Target& target, const FixtureSpec& spec);

/// Each room's `GET /api/v1/rooms/{id}/messages/count`, in the order of `fixture.rooms`.
std::vector<std::int64_t> count_messages(const Target& target, const Fixture& fixture);

}  // namespace modu::bench

#pragma once

#include "fixture.hpp"
#include "http_client.hpp"
#include "stats.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace modu::bench {

struct LoadSpec {
  Target target;
  const Fixture* fixture = nullptr;
  std::string run_id;  ///< prefix of every clientMsgId
  std::size_t senders = 0;
  unsigned threads = 1;
  std::chrono::milliseconds warmup{0};
  std::chrono::milliseconds duration{0};
};

/// What the senders saw. "Measured" counts only responses that arrived after the
/// warm-up and before the end; "acknowledged" counts every 201, for the loss check.
struct LoadResult {
  std::uint64_t acknowledged = 0;
  std::uint64_t measured = 0;
  std::uint64_t in_doubt = 0;  ///< sends with no answer even after retries: stored or not, nobody knows
  LatencySamples latency;      ///< send -> 201, of the measured ones
  std::map<std::string, std::uint64_t> errors;  ///< "HTTP 503", "connection: Connection refused", ...
  std::vector<std::vector<std::int64_t>> seqs;  ///< per room (Fixture order): the seq of every 201
};

/// `spec.senders` coroutines, spread over `spec.threads` threads with an event loop each.
/// Sender i posts to room i mod R as one of that room's members, over its own keep-alive
/// connection, one message at a time, until warm-up + duration have passed; then it
/// waits for its last answer. Prints a progress line a second to stderr.
LoadResult run_load(const LoadSpec& spec);

}  // namespace modu::bench

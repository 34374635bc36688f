#pragma once

// The pieces of a real-time run that live on the event loops: one STOMP connection's
// state, what the loops share, and the coroutines that open connections and publish.
// Internal to realtime_load.cpp and realtime_peer.cpp.
#include "frame_scanner.hpp"
#include "realtime_load.hpp"
#include "stomp_client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace modu::bench::realtime {

using Clock = std::chrono::steady_clock;

/// After the last SEND: how long a publisher waits for its outstanding RECEIPTs.
inline constexpr std::chrono::seconds kReceiptGrace{30};

struct Window {
  Clock::time_point start;         ///< publishers begin
  Clock::time_point measure_from;  ///< warm-up over
  Clock::time_point end;           ///< publishers stop sending
  bool measures(Clock::time_point at) const { return at >= measure_from && at < end; }
};

/// One per event loop: only that loop's coroutines touch it.
struct Tally {
  Window window{};  ///< a copy posted to the loop before the publishers start
  LatencySamples delivery_latency;
  LatencySamples receipt_latency;
  std::uint64_t delivered_measured = 0;
  std::uint64_t acknowledged_measured = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t seq_gaps = 0;
  std::uint64_t seq_disorder = 0;
  std::map<std::string, std::uint64_t> errors;
};

/// A subscriber's view of one publisher of its room.
struct Track {
  std::int64_t last = -1;   ///< the highest message number seen
  std::uint64_t count = 0;  ///< distinct messages seen
};

/// One WebSocket of the run, touched only by the event loop that opened it (and read by
/// the main thread once every loop has stopped).
struct Connection {
  Connection(boost::asio::any_io_executor executor, const ConnectionPlan& plan, std::size_t publisher, Tally& tally)
      : socket(executor), wake(executor), plan(plan), publisher(publisher), tally(tally) {}

  StompSocket socket;
  FrameScanner scanner;
  boost::asio::steady_timer wake;  ///< a publisher waiting for a RECEIPT sleeps here
  const ConnectionPlan& plan;
  const std::size_t publisher;  ///< index among all publishers, when plan.publishes
  Tally& tally;
  bool ready = false;  ///< written by its loop before `opened` is incremented (release)
  bool ended = false;  ///< the read loop is over

  // As a subscriber: one track per publisher of the room, and Modu's seq.
  std::vector<Track> tracks;
  std::int64_t last_seq = 0;
  // As a publisher.
  std::uint64_t sent = 0;
  std::uint64_t acknowledged = 0;
  std::vector<Clock::time_point> sent_at;  ///< by message number modulo the window
};

/// What the event loops and the main thread share: the plan, read-only once the loops
/// run, and counters (atomics) the main thread watches.
struct Shared {
  explicit Shared(const RealtimeSpec& spec) : spec(spec) {}

  const RealtimeSpec& spec;
  Clock::time_point base = Clock::now();  ///< the zero of the send times in clientMsgIds
  std::vector<std::size_t> publisher_of;  ///< connection -> its index among all publishers
  std::vector<std::size_t> slot_of;       ///< publisher -> its index among its room's publishers
  std::vector<std::size_t> room_publishers;
  std::vector<std::size_t> room_subscribers;  ///< connected subscribers per room, set before publishing

  std::vector<std::unique_ptr<Connection>> connections;  ///< slot i written once by the loop that opens it
  std::atomic<std::size_t> next_to_open{0};
  std::atomic<std::size_t> opened{0};
  std::atomic<std::size_t> failed{0};
  std::atomic<std::size_t> dropped{0};
  std::atomic<std::size_t> publishers_done{0};
  std::atomic<std::uint64_t> acknowledged{0};
  std::atomic<std::uint64_t> expected{0};
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<bool> closing{false};
  std::mutex mutex;
  std::string first_error;

  void setup_failed(std::string what) {
    {
      std::lock_guard lock(mutex);
      if (first_error.empty()) first_error = std::move(what);
    }
    failed.fetch_add(1, std::memory_order_release);
  }
};

/// Takes the next connection to open (WebSocket, CONNECT, SUBSCRIBE with receipts) until
/// none are left, then leaves each one reading; `connect_parallel` of these run across
/// the event loops. Failures are counted in `shared`, never thrown.
boost::asio::awaitable<void> open_connections(Shared& shared, Tally& tally);

/// Sends into the connection's room until the window ends (paced, or as the window of
/// unreceipted SENDs allows), then waits for the last RECEIPTs.
boost::asio::awaitable<void> publish(Shared& shared, Connection& c, std::size_t publishers);

}  // namespace modu::bench::realtime

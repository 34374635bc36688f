#pragma once

#include "http_client.hpp"
#include "server_process.hpp"
#include "stats.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace modu::bench {

/// Who is at the other end of the WebSockets.
enum class Broker {
  modu,      ///< Modu: MESSAGE bodies are the stored message JSON with `seq`, events carry `event:`
  rabbitmq,  ///< a plain STOMP broker (RabbitMQ Web-STOMP): bodies come back as they were sent
};

/// A topic the bench publishes into and listens to.
struct RoomPlan {
  std::string topic;    ///< SUBSCRIBE destination: /topic/rooms/7, /topic/bench
  std::string send_to;  ///< SEND destination: /app/rooms/7/messages, /topic/bench
};

inline constexpr std::size_t kNoRoom = std::numeric_limits<std::size_t>::max();

/// What one WebSocket connection does.
struct ConnectionPlan {
  std::string login;     ///< CONNECT `login` (RabbitMQ); empty for Modu
  std::string passcode;  ///< CONNECT `passcode`: an access token for Modu, a password for RabbitMQ
  std::size_t room = kNoRoom;
  bool subscribes = false;                  ///< subscribes to the room's topic and counts what arrives there
  bool publishes = false;                   ///< sends into the room once the run starts
  std::vector<std::string> also_subscribe;  ///< more destinations (e.g. /user/queue/events), not counted
};

struct RealtimeSpec {
  Broker broker = Broker::modu;
  Target target;
  std::string ws_path = "/ws";
  std::string vhost;  ///< CONNECT `host`: RabbitMQ reads it as the virtual host; empty: target.host
  std::vector<RoomPlan> rooms;
  std::vector<ConnectionPlan> connections;
  std::string run_id;  ///< first part of every clientMsgId, so a delivery from another run is seen
  unsigned threads = 1;
  std::size_t connect_parallel = 64;  ///< WebSocket handshakes + CONNECT + SUBSCRIBE in flight
  double rate = 0;                    ///< messages a second from all publishers together; 0: closed loop
  std::size_t window = 1;             ///< SENDs a publisher has in flight (awaiting their RECEIPT)
  std::chrono::milliseconds warmup{0};
  std::chrono::milliseconds duration{0};  ///< 0: no publishing (idle)
  std::chrono::milliseconds hold{0};      ///< after connecting (and publishing): keep the connections open this long
  std::optional<ServerProcess> server;    ///< for memory and CPU; none: not reported
};

/// What a real-time run saw. "Measured" counts what happened inside the window after the
/// warm-up; the loss check counts the whole run.
struct RealtimeResult {
  // Connecting.
  std::size_t connections = 0;
  std::size_t connected = 0;     ///< CONNECTED and every SUBSCRIBE's RECEIPT came
  std::size_t setup_failed = 0;  ///< the rest
  std::string first_setup_error;
  double setup_seconds = 0;
  std::size_t subscribers = 0;  ///< connected connections counting deliveries
  std::size_t publishers = 0;   ///< connected connections publishing

  // Server memory (VmRSS), when the server process is known.
  std::optional<std::uint64_t> rss_before;  ///< before the first connection
  std::optional<std::uint64_t> rss_half;    ///< when `half_connected` were connected
  std::size_t half_connected = 0;
  std::optional<std::uint64_t> rss_connected;  ///< all connected and subscribed
  std::optional<std::uint64_t> rss_end;        ///< after publishing, draining and holding

  // Publishing.
  double measured_seconds = 0;
  std::uint64_t sent = 0;
  std::uint64_t acknowledged = 0;           ///< RECEIPTs, the whole run
  std::uint64_t acknowledged_measured = 0;  ///< RECEIPTs inside the window
  LatencySamples receipt_latency;           ///< SEND -> RECEIPT, inside the window

  // Deliveries.
  std::uint64_t expected = 0;   ///< acknowledged messages x subscribers of their room
  std::uint64_t delivered = 0;  ///< of those, distinct deliveries that arrived (per subscriber)
  std::uint64_t lost = 0;       ///< expected - delivered
  std::uint64_t delivered_measured = 0;
  LatencySamples delivery_latency;              ///< send -> MESSAGE at a subscriber, inside the window
  std::uint64_t unacknowledged_deliveries = 0;  ///< deliveries of messages whose RECEIPT never came
  std::uint64_t duplicates = 0;                 ///< a subscriber got a publisher's message again, or out of order
  std::uint64_t seq_gaps = 0;                   ///< Modu: seqs a subscriber skipped
  std::uint64_t seq_disorder = 0;               ///< Modu: a seq not above the previous one
  std::uint64_t dropped = 0;                    ///< connections that ended before the bench closed them
  std::map<std::string, std::uint64_t> errors;

  // CPU inside the window (or the hold, when nothing is published).
  std::optional<CpuUse> server_cpu;
  double client_cpu = 0;   ///< cores this process used
  double machine_cpu = 0;  ///< cores the whole machine used (server, bench and anything else)
};

/// Opens every planned connection (`connect_parallel` at a time, spread over `threads`
/// event loops), then, when there is a duration, starts the publishers: each sends into
/// its room (`rate` paced, or closed loop with `window` SENDs in flight), carrying its
/// send time and a per-publisher number in the clientMsgId, for warm-up + duration; the
/// subscribers check every MESSAGE they get (latency, order, duplicates, seq). Waits for
/// the last RECEIPTs and deliveries, holds the connections `hold` longer, closes them
/// and returns what was seen. Progress goes to stderr once a second.
RealtimeResult run_realtime(const RealtimeSpec& spec);

}  // namespace modu::bench

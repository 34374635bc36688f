#pragma once

#include "fixture.hpp"
#include "http_client.hpp"
#include "realtime_load.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace modu::bench {

/// The command-line options the real-time scenarios share.
struct RealtimeOptions {
  std::string url;
  std::string ws_path = "/ws";
  std::string broker = "modu";  ///< modu | rabbitmq
  std::string login = "guest";  ///< RabbitMQ only
  std::string passcode = "guest";
  std::string destination = "/topic/bench";  ///< RabbitMQ only
  unsigned threads = 1;
  std::size_t connect_parallel = 64;
  int server_pid = 0;  ///< 0: the process listening on the URL's port, if it can be found
  bool json = false;
};

/// How the scenarios that send pace themselves, and for how long.
struct PacingOptions {
  double rate = 0;
  std::size_t window = 1;
  double duration_seconds = 10;
  double warmup_seconds = 2;
};

/// The help of --rate, --window and --warmup, which names who sends.
struct PacingHelp {
  std::string_view rate;
  std::string_view window;
  std::string_view warmup;
};

/// Declares --rate, --window, --duration and --warmup.
void add_pacing_options(CLI::App& command, PacingOptions& options, const PacingHelp& help);

/// "N msg/s in all", or "closed loop" without a rate.
std::string pacing_label(const PacingOptions& options);

/// Sets the spec's rate, window, warm-up and duration.
void apply_pacing(RealtimeSpec& spec, const PacingOptions& options);

/// "Modu at URL", or "RabbitMQ at URLPATH".
std::string broker_label(const RealtimeOptions& options, Broker broker);

/// A spec with the shared options, a fresh run id and the server (see find_server) set.
RealtimeSpec realtime_spec(const RealtimeOptions& options, Broker broker, const Target& target, std::ostream& log);

/// Modu: signs up `members` members, puts them all in one group room (the spec's room 0)
/// and prints the set-up on `log`; returns the members. RabbitMQ: room 0 is the
/// destination; returns none.
std::vector<BenchMember> set_up_one_room(RealtimeSpec& spec, const RealtimeOptions& options, std::size_t members,
                                         std::ostream& log);

/// Connection i's CONNECT credentials: member i mod the members' token (Modu), or the login options.
void set_credentials(ConnectionPlan& plan, const RealtimeOptions& options, Broker broker,
                     const std::vector<BenchMember>& members, std::size_t i);

/// Declares the shared options; `with_broker` adds --broker and RabbitMQ's login options.
void add_realtime_options(CLI::App& command, RealtimeOptions& options, bool with_broker);

/// The run's Broker from --broker; UsageError for anything else.
Broker broker_of(const RealtimeOptions& options);

/// The server's process from --server-pid, or the one listening on the target's port.
/// Prints on `log` which it found, or that memory and CPU will not be reported.
std::optional<ServerProcess> find_server(const RealtimeOptions& options, const Target& target, std::ostream& log);

/// Signs up and logs in `count` new members (at least 3) through the public API.
std::vector<BenchMember> sign_up_members(const Target& target, const std::string& run_id, std::size_t count);

/// One group room holding every member (the first one creates it); its id.
std::int64_t open_group_room(const Target& target, const std::vector<BenchMember>& members);

/// The 1:1 room of each pair (indices into `members`), in order, opened by the first of the pair.
std::vector<std::int64_t> open_direct_rooms(const Target& target, const std::vector<BenchMember>& members,
                                            const std::vector<std::pair<std::size_t, std::size_t>>& pairs);

/// Modu's topic and SEND destination for a room.
RoomPlan modu_room(std::int64_t room_id);

}  // namespace modu::bench

#include "realtime_setup.hpp"

#include "scenario.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <exception>
#include <functional>
#include <ostream>

namespace modu::bench {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Room set-up requests at a time: each is a short transaction; more would only queue.
constexpr std::size_t kSetupParallel = 8;
constexpr std::string_view kRoomsPath = "/api/v1/rooms";

asio::awaitable<std::int64_t> open_room(HttpConnection& connection, const BenchMember& creator, json::array others) {
  auto body = json::serialize(json::object{{"memberIds", std::move(others)}});
  const auto reply = co_await connection.request(Method::post, kRoomsPath, std::move(body), creator.token);
  const auto what = fmt::format("opening a room as member {}", creator.id);
  if (reply.error) throw std::runtime_error(fmt::format("{}: {}", what, reply.error.message()));
  // 201 for a new room; a 1:1 room that already exists comes back with 200.
  if (reply.status != 201 && reply.status != 200) {
    throw std::runtime_error(fmt::format("{}: HTTP {}: {}", what, reply.status, reply.body));
  }
  boost::system::error_code ec;
  const auto value = json::parse(reply.body, ec);
  const auto* id = !ec && value.is_object() ? value.as_object().if_contains("id") : nullptr;
  if (!id || !id->is_int64()) throw std::runtime_error(fmt::format("{}: no id in {}", what, reply.body));
  co_return id->as_int64();
}

}  // namespace

void add_realtime_options(CLI::App& command, RealtimeOptions& options, bool with_broker) {
  command.add_option("--url", options.url, "the server, e.g. http://127.0.0.1:8080 (RabbitMQ Web-STOMP: :15674)")
      ->required();
  command.add_option("--ws-path", options.ws_path, "the WebSocket's path")->capture_default_str();
  if (with_broker) {
    command.add_option("--broker", options.broker, "modu, or rabbitmq for a plain STOMP broker (no REST set-up)")
        ->capture_default_str()
        ->check(CLI::IsMember({"modu", "rabbitmq"}));
    command.add_option("--login", options.login, "rabbitmq: CONNECT login")->capture_default_str();
    command.add_option("--passcode", options.passcode, "rabbitmq: CONNECT passcode")->capture_default_str();
    command.add_option("--destination", options.destination, "rabbitmq: the topic to publish to and subscribe to")
        ->capture_default_str();
  }
  command.add_option("--threads", options.threads, "client threads, each with its own event loop")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  command.add_option("--connect-parallel", options.connect_parallel, "connections being opened at a time")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  command.add_option("--server-pid", options.server_pid,
                     "the server's process, for its memory and CPU (default: whoever listens on the URL's port)");
  command.add_flag("--json", options.json, "print one JSON line of results on stdout (the summary goes to stderr)");
}

Broker broker_of(const RealtimeOptions& options) {
  if (options.broker == "modu") return Broker::modu;
  if (options.broker == "rabbitmq") return Broker::rabbitmq;
  throw UsageError("--broker must be modu or rabbitmq, not '" + options.broker + "'");
}

std::optional<ServerProcess> find_server(const RealtimeOptions& options, const Target& target, std::ostream& log) {
  if (options.server_pid > 0) {
    ServerProcess server(options.server_pid);
    if (!server.rss_bytes()) throw UsageError(fmt::format("--server-pid {}: no such process", options.server_pid));
    log << fmt::format("server process: {} (--server-pid)\n", options.server_pid);
    return server;
  }
  auto server = ServerProcess::listening_on(target.endpoint.port());
  if (server) {
    log << fmt::format("server process: {} (listens on port {})\n", server->pid(), target.endpoint.port());
  } else {
    log << "server process: not found (pass --server-pid): no memory or CPU figures\n";
  }
  return server;
}

void add_pacing_options(CLI::App& command, PacingOptions& options, const PacingHelp& help) {
  command.add_option("--rate", options.rate, std::string(help.rate))
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command.add_option("--window", options.window, std::string(help.window))
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  command.add_option("--duration", options.duration_seconds, "seconds measured, after the warm-up")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command.add_option("--warmup", options.warmup_seconds, std::string(help.warmup))
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

std::string pacing_label(const PacingOptions& options) {
  return options.rate > 0 ? fmt::format("{:g} msg/s in all", options.rate) : "closed loop";
}

void apply_pacing(RealtimeSpec& spec, const PacingOptions& options) {
  spec.rate = options.rate;
  spec.window = options.window;
  spec.warmup = millis(options.warmup_seconds);
  spec.duration = millis(options.duration_seconds);
}

std::string broker_label(const RealtimeOptions& options, Broker broker) {
  return broker == Broker::modu ? fmt::format("Modu at {}", options.url)
                                : fmt::format("RabbitMQ at {}{}", options.url, options.ws_path);
}

RealtimeSpec realtime_spec(const RealtimeOptions& options, Broker broker, const Target& target, std::ostream& log) {
  RealtimeSpec spec;
  spec.broker = broker;
  spec.target = target;
  spec.ws_path = options.ws_path;
  spec.run_id = new_run_id();
  spec.threads = options.threads;
  spec.connect_parallel = options.connect_parallel;
  spec.server = find_server(options, target, log);
  return spec;
}

std::vector<BenchMember> set_up_one_room(RealtimeSpec& spec, const RealtimeOptions& options, std::size_t members,
                                         std::ostream& log) {
  if (spec.broker != Broker::modu) {
    spec.vhost = "/";
    spec.rooms.push_back({options.destination, options.destination});
    return {};
  }
  const auto setup_start = std::chrono::steady_clock::now();
  auto accounts = sign_up_members(spec.target, spec.run_id, members);
  const auto room = open_group_room(spec.target, accounts);
  spec.rooms.push_back(modu_room(room));
  log << fmt::format("setup: {} members signed up and logged in, all in room {}, in {:.1f} s\n", accounts.size(), room,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count())
      << std::flush;
  return accounts;
}

void set_credentials(ConnectionPlan& plan, const RealtimeOptions& options, Broker broker,
                     const std::vector<BenchMember>& members, std::size_t i) {
  if (broker == Broker::modu) {
    plan.passcode = members[i % members.size()].token;
  } else {
    plan.login = options.login;
    plan.passcode = options.passcode;
  }
}

std::vector<BenchMember> sign_up_members(const Target& target, const std::string& run_id, std::size_t count) {
  // build_fixture signs members up and opens group rooms; here it opens none.
  return build_fixture(target, {run_id, count, 0, 3}).members;
}

std::int64_t open_group_room(const Target& target, const std::vector<BenchMember>& members) {
  json::array others;
  for (std::size_t i = 1; i < members.size(); ++i) others.push_back(members[i].id);
  std::int64_t room = 0;
  for_each_parallel(target, 1, kSetupParallel, [&](HttpConnection& connection, std::size_t) -> asio::awaitable<void> {
    room = co_await open_room(connection, members.front(), std::move(others));
  });
  return room;
}

std::vector<std::int64_t> open_direct_rooms(const Target& target, const std::vector<BenchMember>& members,
                                            const std::vector<std::pair<std::size_t, std::size_t>>& pairs) {
  std::vector<std::int64_t> rooms(pairs.size());
  for_each_parallel(target, pairs.size(), kSetupParallel, [&](HttpConnection& connection, std::size_t i) -> asio::awaitable<void> {
    json::array other;  // not a braced list: GCC 12 cannot keep its backing array in a coroutine frame
    other.push_back(members[pairs[i].second].id);
    rooms[i] = co_await open_room(connection, members[pairs[i].first], std::move(other));
  });
  return rooms;
}

RoomPlan modu_room(std::int64_t room_id) {
  return {fmt::format("/topic/rooms/{}", room_id), fmt::format("/app/rooms/{}/messages", room_id)};
}

}  // namespace modu::bench

#include "fixture.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <exception>
#include <functional>
#include <random>
#include <stdexcept>

namespace modu::bench {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Setup requests at a time. Sign-up and login each hash a password with argon2id (64 MiB,
// on purpose slow); the server shares the cores with the bench, so more gains nothing.
constexpr std::size_t kSetupParallel = 4;
constexpr std::string_view kPasswordPrefix = "bench-password-";
constexpr std::string_view kSignUpPath = "/api/v1/auth/signup";
constexpr std::string_view kLogInPath = "/api/v1/auth/login";
constexpr std::string_view kRoomsPath = "/api/v1/rooms";

/// The JSON body of a reply with the expected status; otherwise throws, naming `what`.
json::object expect(const HttpReply& reply, int status, const std::string& what) {
  if (reply.error) throw std::runtime_error(fmt::format("{}: {}", what, reply.error.message()));
  if (reply.status != status) {
    throw std::runtime_error(fmt::format("{}: HTTP {} (expected {}): {}", what, reply.status, status, reply.body));
  }
  boost::system::error_code ec;
  auto value = json::parse(reply.body, ec);
  if (ec || !value.is_object()) throw std::runtime_error(fmt::format("{}: not a JSON object: {}", what, reply.body));
  return std::move(value.as_object());
}

std::int64_t integer_field(const json::object& object, std::string_view key, const std::string& what) {
  const auto* value = object.if_contains(key);
  if (!value || !value->is_int64()) {
    throw std::runtime_error(fmt::format("{}: no integer '{}' in the reply", what, key));
  }
  return value->as_int64();
}

asio::awaitable<void> sign_up_and_log_in(HttpConnection& connection, const std::string& run_id, std::size_t index,
                                         BenchMember& member) {
  const auto email = fmt::format("bench-{}-{}@example.com", run_id, index);
  const auto password = fmt::format("{}{}", kPasswordPrefix, run_id);
  auto sign_up = json::serialize(
      json::object{{"email", email}, {"password", password}, {"nickname", fmt::format("bench {}", index)}});
  const auto signed_up = co_await connection.request(Method::post, kSignUpPath, std::move(sign_up));
  member.id = integer_field(expect(signed_up, 201, "signing up " + email), "id", "signing up " + email);

  auto log_in = json::serialize(json::object{{"email", email}, {"password", password}});
  const auto logged_in = co_await connection.request(Method::post, kLogInPath, std::move(log_in));
  const auto session = expect(logged_in, 200, "logging in " + email);
  const auto* token = session.if_contains("accessToken");
  if (!token || !token->is_string()) throw std::runtime_error("logging in " + email + ": no accessToken in the reply");
  member.token = std::string(token->as_string());
}

asio::awaitable<void> open_room(HttpConnection& connection, Fixture& fixture, BenchRoom& room) {
  json::array others;
  for (std::size_t i = 1; i < room.members.size(); ++i) others.push_back(fixture.members[room.members[i]].id);
  const auto& creator = fixture.members[room.members.front()];
  auto body = json::serialize(json::object{{"memberIds", std::move(others)}});
  const auto opened = co_await connection.request(Method::post, kRoomsPath, std::move(body), creator.token);
  const auto what = fmt::format("opening a room as member {}", creator.id);
  room.id = integer_field(expect(opened, 201, what), "id", what);
}

asio::awaitable<void> count_room(HttpConnection& connection, const Fixture& fixture, std::size_t r,
                                 std::int64_t& count) {
  const auto& room = fixture.rooms[r];
  const auto path = fmt::format("/api/v1/rooms/{}/messages/count", room.id);
  const auto reply = co_await connection.request(Method::get, path, {}, fixture.members[room.members.front()].token);
  const auto what = fmt::format("counting the messages of room {}", room.id);
  count = integer_field(expect(reply, 200, what), "count", what);
}

}  // namespace

std::string new_run_id() {
  std::random_device random;
  return fmt::format("{:08x}", random());
}

void for_each_parallel(const Target& target, std::size_t count, std::size_t parallel, const SetupTask& task) {
  asio::io_context io;
  std::size_t next = 0;
  std::exception_ptr failure;
  const auto worker = [&]() -> asio::awaitable<void> {
    HttpConnection connection(co_await asio::this_coro::executor, target);
    while (next < count && !failure) co_await task(connection, next++);
  };
  for (std::size_t i = 0; i < std::min(count, parallel); ++i) {
    asio::co_spawn(io, worker(), [&failure](std::exception_ptr e) {
      if (e && !failure) failure = e;
    });
  }
  io.run();
  if (failure) std::rethrow_exception(failure);
}

Fixture build_fixture(const Target& target, const FixtureSpec& spec) {
  if (spec.room_size < 3 || spec.room_size > spec.members) {
    throw std::invalid_argument("a bench room needs 3 to `members` members");
  }
  Fixture fixture;
  fixture.members.resize(spec.members);
  for_each_parallel(target, spec.members, kSetupParallel, [&](HttpConnection& connection, std::size_t i) {
    return sign_up_and_log_in(connection, spec.run_id, i, fixture.members[i]);
  });

  fixture.rooms.resize(spec.rooms);
  for (std::size_t r = 0; r < spec.rooms; ++r) {
    for (std::size_t k = 0; k < spec.room_size; ++k) {
      fixture.rooms[r].members.push_back((r * spec.room_size + k) % spec.members);
    }
  }
  for_each_parallel(target, spec.rooms, kSetupParallel, [&](HttpConnection& connection, std::size_t r) {
    return open_room(connection, fixture, fixture.rooms[r]);
  });
  return fixture;
}

std::vector<std::int64_t> count_messages(const Target& target, const Fixture& fixture) {
  std::vector<std::int64_t> counts(fixture.rooms.size());
  for_each_parallel(target, fixture.rooms.size(), kSetupParallel, [&](HttpConnection& connection, std::size_t r) {
    return count_room(connection, fixture, r, counts[r]);
  });
  return counts;
}

}  // namespace modu::bench

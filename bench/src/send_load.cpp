#include "send_load.hpp"

#include "scenario.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <atomic>
#include <exception>
#include <iostream>
#include <optional>
#include <thread>

namespace modu::bench {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// A send that got no answer is sent again with the same clientMsgId (the server returns
// the stored message instead of storing a second), a few times, with a pause so a
// server that refuses connections is not spun against.
constexpr int kAttempts = 3;
constexpr std::chrono::milliseconds kRetryPause{100};

struct Window {
  Clock::time_point measure_from;
  Clock::time_point end;
  bool measures(Clock::time_point at) const { return at >= measure_from && at < end; }
};

/// One per thread: only the senders of that thread's event loop write it.
struct Tally {
  LoadResult result;
  std::exception_ptr failure;
};

struct Shared {
  const LoadSpec& spec;
  Window window;
  std::atomic<std::uint64_t> acknowledged{0};  // for the progress line
};

std::optional<std::int64_t> seq_of(const std::string& body) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto* seq = value.as_object().if_contains("seq");
  if (!seq || !seq->is_int64()) return std::nullopt;
  return seq->as_int64();
}

asio::awaitable<std::optional<HttpReply>> send_with_retries(HttpConnection& connection, const std::string& path,
                                                            const std::string& body, const std::string& token,
                                                            LoadResult& result) {
  for (int attempt = 1;; ++attempt) {
    auto reply = co_await connection.request(Method::post, path, body, token);
    if (!reply.error) co_return reply;
    ++result.errors["connection: " + reply.error.message()];
    if (attempt == kAttempts) co_return std::nullopt;
    asio::steady_timer pause(co_await asio::this_coro::executor, kRetryPause);
    co_await pause.async_wait(kUseTuple);
  }
}

asio::awaitable<void> send_loop(Shared& shared, std::size_t sender, LoadResult& result) {
  const auto& fixture = *shared.spec.fixture;
  const std::size_t room_index = sender % fixture.rooms.size();
  const auto& room = fixture.rooms[room_index];
  const auto& member = fixture.members[room.members[(sender / fixture.rooms.size()) % room.members.size()]];
  const auto path = fmt::format("/api/v1/rooms/{}/messages", room.id);
  HttpConnection connection(co_await asio::this_coro::executor, shared.spec.target);

  for (std::uint64_t n = 0; Clock::now() < shared.window.end; ++n) {
    const auto body = fmt::format(R"({{"type":"text","body":"{}","clientMsgId":"{}-{}-{}"}})", kBenchMessageText,
                                  shared.spec.run_id, sender, n);
    const auto sent_at = Clock::now();
    const auto reply = co_await send_with_retries(connection, path, body, member.token, result);
    const auto answered_at = Clock::now();
    if (!reply) {
      ++result.in_doubt;
      continue;
    }
    if (reply->status != 201) {
      ++result.errors[fmt::format("HTTP {}", reply->status)];
      continue;
    }
    ++result.acknowledged;
    shared.acknowledged.fetch_add(1, std::memory_order_relaxed);
    if (auto seq = seq_of(reply->body)) {
      result.seqs[room_index].push_back(*seq);
    } else {
      ++result.errors["201 without a seq"];
    }
    if (shared.window.measures(answered_at)) {
      ++result.measured;
      result.latency.add(answered_at - sent_at);
    }
  }
}

/// A line a second on stderr, so a run that stalls shows it while it happens.
void report_progress(Shared& shared, Clock::time_point start) {
  std::uint64_t before = 0;
  for (int second = 1;; ++second) {
    const auto at = start + std::chrono::seconds(second);
    if (at > shared.window.end) break;
    std::this_thread::sleep_until(at);
    const auto now = shared.acknowledged.load(std::memory_order_relaxed);
    std::cerr << fmt::format("  {:>4} s  {:>9} msg/s{}\n", second, with_commas(now - before),
                             at <= shared.window.measure_from ? "  (warm-up)" : "");
    before = now;
  }
}

void merge(LoadResult& into, LoadResult& from) {
  into.acknowledged += from.acknowledged;
  into.measured += from.measured;
  into.in_doubt += from.in_doubt;
  into.latency.merge(from.latency);
  for (const auto& [what, count] : from.errors) into.errors[what] += count;
  for (std::size_t r = 0; r < into.seqs.size(); ++r) {
    into.seqs[r].insert(into.seqs[r].end(), from.seqs[r].begin(), from.seqs[r].end());
  }
}

}  // namespace

LoadResult run_load(const LoadSpec& spec) {
  const auto rooms = spec.fixture->rooms.size();
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<Tally> tallies(spec.threads);
  for (unsigned t = 0; t < spec.threads; ++t) {
    loops.push_back(std::make_unique<asio::io_context>(1));
    tallies[t].result.seqs.resize(rooms);
  }

  const auto start = Clock::now();
  Shared shared{spec, Window{start + spec.warmup, start + spec.warmup + spec.duration}};
  for (std::size_t sender = 0; sender < spec.senders; ++sender) {
    auto& tally = tallies[sender % spec.threads];
    asio::co_spawn(*loops[sender % spec.threads], send_loop(shared, sender, tally.result),
                   [&tally](std::exception_ptr e) {
                     if (e && !tally.failure) tally.failure = e;
                   });
  }
  std::vector<std::jthread> threads;
  for (auto& loop : loops) threads.emplace_back([&loop] { loop->run(); });
  report_progress(shared, start);
  threads.clear();  // joins: every sender has had its last answer

  LoadResult total;
  total.seqs.resize(rooms);
  for (auto& tally : tallies) {
    if (tally.failure) std::rethrow_exception(tally.failure);
    merge(total, tally.result);
  }
  return total;
}

}  // namespace modu::bench

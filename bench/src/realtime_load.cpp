#include "realtime_load.hpp"

#include "realtime_peer.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <iostream>
#include <thread>

namespace modu::bench {
namespace asio = boost::asio;
using realtime::Clock;
using realtime::Connection;
using realtime::Shared;
using realtime::Tally;
using realtime::Window;

namespace {

// After the last SEND: how long deliveries may stall before the rest counts as lost.
constexpr std::chrono::seconds kDrainStall{3};
constexpr std::chrono::seconds kDrainMax{60};
constexpr std::chrono::milliseconds kPoll{20};

/// Sleeps until `until`, printing a progress line a second on stderr.
void wait_with_progress(Shared& shared, Clock::time_point until, std::string_view phase) {
  auto last_line = Clock::now();
  auto acknowledged = shared.acknowledged.load(std::memory_order_relaxed);
  auto delivered = shared.delivered.load(std::memory_order_relaxed);
  while (Clock::now() < until) {
    std::this_thread::sleep_until(std::min(until, last_line + std::chrono::seconds(1)));
    const auto now = Clock::now();
    if (now - last_line < std::chrono::seconds(1)) continue;
    const double seconds = std::chrono::duration<double>(now - last_line).count();
    const auto a = shared.acknowledged.load(std::memory_order_relaxed);
    const auto d = shared.delivered.load(std::memory_order_relaxed);
    const auto open = shared.opened.load(std::memory_order_relaxed) - shared.dropped.load(std::memory_order_relaxed);
    std::cerr << fmt::format("  {:<9} {:>9} msg/s acknowledged  {:>11} deliveries/s  {:>7} connections open\n", phase,
                             with_commas(static_cast<std::uint64_t>((a - acknowledged) / seconds)),
                             with_commas(static_cast<std::uint64_t>((d - delivered) / seconds)), with_commas(open));
    last_line = now;
    acknowledged = a;
    delivered = d;
  }
}

/// Waits until every connection is opened or has failed; reads the server's memory half-way.
void wait_for_setup(Shared& shared, RealtimeResult& result) {
  const auto total = shared.spec.connections.size();
  auto last_line = Clock::now();
  for (;;) {
    const auto opened = shared.opened.load(std::memory_order_acquire);
    const auto failed = shared.failed.load(std::memory_order_acquire);
    if (!result.rss_half && shared.spec.server && opened >= total / 2 && total >= 2) {
      result.rss_half = shared.spec.server->rss_bytes();
      result.half_connected = shared.opened.load(std::memory_order_acquire);
    }
    if (opened + failed >= total) return;
    if (Clock::now() - last_line >= std::chrono::seconds(1)) {
      last_line = Clock::now();
      std::cerr << fmt::format("  connecting {:>7} / {} open{}\n", with_commas(opened), with_commas(total),
                               failed ? fmt::format(", {} failed", failed) : "");
    }
    std::this_thread::sleep_for(kPoll);
  }
}

/// After the last SEND: until every publisher has its RECEIPTs and every acknowledged
/// message has reached every subscriber, or deliveries stall.
void wait_for_drain(Shared& shared, std::size_t publishers) {
  const auto give_up = Clock::now() + realtime::kReceiptGrace + kDrainMax;
  while (shared.publishers_done.load(std::memory_order_acquire) < publishers && Clock::now() < give_up) {
    std::this_thread::sleep_for(kPoll);
  }
  auto delivered = shared.delivered.load(std::memory_order_relaxed);
  auto progress_at = Clock::now();
  const auto drain_until = Clock::now() + kDrainMax;
  while (Clock::now() < drain_until) {
    const auto now_delivered = shared.delivered.load(std::memory_order_relaxed);
    if (now_delivered >= shared.expected.load(std::memory_order_relaxed)) return;
    if (now_delivered != delivered) {
      delivered = now_delivered;
      progress_at = Clock::now();
    } else if (Clock::now() - progress_at > kDrainStall) {
      return;
    }
    std::this_thread::sleep_for(kPoll);
  }
}

void merge(RealtimeResult& result, Tally& tally) {
  result.delivery_latency.merge(tally.delivery_latency);
  result.receipt_latency.merge(tally.receipt_latency);
  result.delivered_measured += tally.delivered_measured;
  result.acknowledged_measured += tally.acknowledged_measured;
  result.duplicates += tally.duplicates;
  result.seq_gaps += tally.seq_gaps;
  result.seq_disorder += tally.seq_disorder;
  for (const auto& [what, count] : tally.errors) result.errors[what] += count;
}

/// The loss check, once every loop has stopped: per subscriber and publisher of its room,
/// each acknowledged message should have arrived once.
void count_deliveries(const Shared& shared, RealtimeResult& result) {
  std::vector<std::vector<const Connection*>> publishers_of(shared.spec.rooms.size());
  for (const auto& c : shared.connections) {
    if (c && c->plan.publishes) {
      auto& list = publishers_of[c->plan.room];
      list.resize(std::max(list.size(), shared.slot_of[c->publisher] + 1));
      list[shared.slot_of[c->publisher]] = c.get();
      result.sent += c->sent;
      result.acknowledged += c->acknowledged;
    }
  }
  for (const auto& c : shared.connections) {
    if (!c || !c->ready || !c->plan.subscribes) continue;
    const auto& publishers = publishers_of[c->plan.room];
    for (std::size_t slot = 0; slot < c->tracks.size(); ++slot) {
      const std::uint64_t acknowledged =
          slot < publishers.size() && publishers[slot] ? publishers[slot]->acknowledged : 0;
      const auto arrived = std::min(c->tracks[slot].count, acknowledged);
      result.expected += acknowledged;
      result.delivered += arrived;
      result.unacknowledged_deliveries += c->tracks[slot].count - arrived;
    }
  }
  result.lost = result.expected - result.delivered;
}

}  // namespace

RealtimeResult run_realtime(const RealtimeSpec& spec) {
  // Declared first, destroyed last: the connections' sockets belong to these loops.
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<Tally> tallies(spec.threads);
  Shared shared(spec);
  RealtimeResult result;
  result.connections = spec.connections.size();
  shared.connections.resize(spec.connections.size());
  shared.room_publishers.assign(spec.rooms.size(), 0);
  shared.room_subscribers.assign(spec.rooms.size(), 0);
  for (const auto& plan : spec.connections) {
    if ((plan.subscribes || plan.publishes) && plan.room >= spec.rooms.size()) {
      throw std::invalid_argument("a connection plan names no room");
    }
    shared.publisher_of.push_back(shared.slot_of.size());
    if (plan.publishes) shared.slot_of.push_back(shared.room_publishers[plan.room]++);
  }

  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (unsigned t = 0; t < spec.threads; ++t) {
    loops.push_back(std::make_unique<asio::io_context>(1));
    guards.push_back(asio::make_work_guard(*loops.back()));
  }
  std::vector<std::jthread> threads;
  for (auto& loop : loops) threads.emplace_back([&loop] { loop->run(); });

  // Connect.
  if (spec.server) result.rss_before = spec.server->rss_bytes();
  const auto setup_start = Clock::now();
  const auto openers = std::max<std::size_t>(spec.connect_parallel, 1);
  for (std::size_t i = 0; i < openers; ++i) {
    auto& tally = tallies[i % spec.threads];
    asio::co_spawn(*loops[i % spec.threads], realtime::open_connections(shared, tally),
                   [&shared](std::exception_ptr e) {
                     if (e) shared.setup_failed("an opener failed");
                   });
  }
  wait_for_setup(shared, result);
  result.setup_seconds = std::chrono::duration<double>(Clock::now() - setup_start).count();
  result.connected = shared.opened.load(std::memory_order_acquire);
  result.setup_failed = shared.failed.load(std::memory_order_acquire);
  {
    std::lock_guard lock(shared.mutex);
    result.first_setup_error = shared.first_error;
  }
  if (spec.server) result.rss_connected = spec.server->rss_bytes();

  std::vector<Connection*> publishers;
  for (const auto& c : shared.connections) {
    if (!c || !c->ready) continue;
    if (c->plan.subscribes) {
      ++shared.room_subscribers[c->plan.room];
      ++result.subscribers;
    }
    if (c->plan.publishes) publishers.push_back(c.get());
  }
  result.publishers = publishers.size();

  // Publish, then drain; or just hold the connections open.
  std::optional<ServerProcess::Cpu> server_cpu_before;
  std::chrono::microseconds client_cpu_before{};
  std::chrono::microseconds machine_cpu_before{};
  Clock::time_point measured_from{};
  const auto start_measuring = [&] {
    if (spec.server) server_cpu_before = spec.server->cpu();
    client_cpu_before = own_cpu_time();
    machine_cpu_before = machine_busy_time();
    measured_from = Clock::now();
  };
  const auto stop_measuring = [&] {
    const auto wall = Clock::now() - measured_from;
    result.measured_seconds = std::chrono::duration<double>(wall).count();
    if (spec.server && server_cpu_before) result.server_cpu = cpu_use(*server_cpu_before, spec.server->cpu(), wall);
    if (result.measured_seconds > 0) {
      const auto cores = [&](std::chrono::microseconds used) {
        return std::chrono::duration<double>(used).count() / result.measured_seconds;
      };
      result.client_cpu = cores(own_cpu_time() - client_cpu_before);
      result.machine_cpu = cores(machine_busy_time() - machine_cpu_before);
    }
  };

  if (spec.duration.count() > 0 && !publishers.empty()) {
    const auto start = Clock::now() + std::chrono::milliseconds(100);
    const Window window{start, start + spec.warmup, start + spec.warmup + spec.duration};
    for (unsigned t = 0; t < spec.threads; ++t) {
      asio::post(*loops[t], [&tally = tallies[t], window] { tally.window = window; });
    }
    for (auto* c : publishers) {
      asio::post(c->wake.get_executor(), [&shared, c, count = publishers.size()] {
        asio::co_spawn(c->wake.get_executor(), realtime::publish(shared, *c, count), [c](std::exception_ptr e) {
          if (e) ++c->tally.errors["publisher failed"];
        });
      });
    }
    if (spec.warmup.count() > 0) wait_with_progress(shared, window.measure_from, "warm-up");
    std::this_thread::sleep_until(window.measure_from);
    start_measuring();
    wait_with_progress(shared, window.end, "measuring");
    std::this_thread::sleep_until(window.end);
    stop_measuring();
    wait_for_drain(shared, publishers.size());
  }
  if (spec.hold.count() > 0) {
    const bool measure_hold = !server_cpu_before;
    if (measure_hold) start_measuring();
    wait_with_progress(shared, Clock::now() + spec.hold, "holding");
    if (measure_hold) stop_measuring();
  }
  if (spec.server) result.rss_end = spec.server->rss_bytes();

  // Close everything and let the loops run out of work.
  shared.closing.store(true);
  for (const auto& c : shared.connections) {
    if (c) asio::post(c->wake.get_executor(), [c = c.get()] { c->socket.close(); });
  }
  guards.clear();
  threads.clear();  // joins

  result.dropped = shared.dropped.load();
  for (auto& tally : tallies) merge(result, tally);
  count_deliveries(shared, result);
  return result;
}

}  // namespace modu::bench

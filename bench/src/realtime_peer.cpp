#include "realtime_peer.hpp"

#include "delivery_check.hpp"
#include "scenario.hpp"
#include "ws/stomp/encoder.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>

namespace modu::bench::realtime {
namespace asio = boost::asio;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string connect_frame(const Shared& shared, const ConnectionPlan& plan) {
  const auto& spec = shared.spec;
  stomp::Frame frame{
      stomp::Command::connect,
      {{"accept-version", "1.2"}, {"host", spec.vhost.empty() ? spec.target.host : spec.vhost}, {"heart-beat", "0,0"}},
      {}};
  if (!plan.login.empty()) frame.headers.emplace_back("login", plan.login);
  frame.headers.emplace_back("passcode", plan.passcode);
  return stomp::encode(frame);
}

/// The next frame during set-up (no MESSAGE is expected before the run starts).
asio::awaitable<FrameView> next_frame(Connection& c) {
  for (;;) {
    if (auto frame = c.scanner.next()) co_return *frame;
    auto [ec, bytes] = co_await c.socket.read();
    if (ec) throw std::runtime_error("connection closed during set-up: " + ec.message());
    c.scanner.feed(bytes);
  }
}

std::string refusal(const FrameView& frame) {
  if (frame.command == "ERROR") {
    return fmt::format("ERROR {}", frame.header("message").value_or(frame.body));
  }
  return fmt::format("unexpected {}", frame.command);
}

/// WebSocket, CONNECT, then every SUBSCRIBE with a receipt; throws with what went wrong.
asio::awaitable<void> open_connection(Shared& shared, Connection& c) {
  const auto& spec = shared.spec;
  if (auto ec = co_await c.socket.open(spec.target.endpoint, spec.target.host, spec.ws_path)) {
    throw std::runtime_error("WebSocket: " + ec.message());
  }
  if (auto ec = co_await c.socket.write(connect_frame(shared, c.plan)))
    throw std::runtime_error("CONNECT: " + ec.message());
  if (auto frame = co_await next_frame(c); frame.command != "CONNECTED") {
    throw std::runtime_error("CONNECT answered with " + refusal(frame));
  }
  std::vector<std::string> destinations;
  if (c.plan.subscribes) destinations.push_back(spec.rooms.at(c.plan.room).topic);
  destinations.insert(destinations.end(), c.plan.also_subscribe.begin(), c.plan.also_subscribe.end());
  for (std::size_t i = 0; i < destinations.size(); ++i) {
    const auto id = std::to_string(i);
    const auto subscribe = stomp::encode(
        {stomp::Command::subscribe, {{"id", id}, {"destination", destinations[i]}, {"receipt", "sub-" + id}}, {}});
    if (auto ec = co_await c.socket.write(subscribe)) throw std::runtime_error("SUBSCRIBE: " + ec.message());
    auto frame = co_await next_frame(c);
    if (frame.command != "RECEIPT" || frame.header("receipt-id") != "sub-" + id) {
      throw std::runtime_error("SUBSCRIBE " + destinations[i] + " answered with " + refusal(frame));
    }
  }
}

void on_message(Shared& shared, Connection& c, const FrameView& frame, Clock::time_point now,
                std::uint64_t& new_deliveries) {
  auto& tally = c.tally;
  if (!c.plan.subscribes) {
    ++tally.errors["MESSAGE on a connection that did not subscribe"];
    return;
  }
  if (shared.spec.broker == Broker::modu) {
    // Only messages on the room's subscription (id 0) count: read markers, typing and
    // /user/queue/events are none of the bench's.
    const auto [event, subscription] = frame.headers("event", "subscription");
    if (event != "message" || subscription != "0") return;
  }
  const auto id = find_bench_id(frame.body, shared.spec.run_id);
  if (!id || id->publisher >= shared.slot_of.size()) {
    ++tally.errors["MESSAGE without this run's clientMsgId"];
    return;
  }
  auto& track = c.tracks[shared.slot_of[id->publisher]];
  if (id->number <= track.last) {
    ++tally.duplicates;
  } else {
    track.last = id->number;
    ++track.count;
    ++new_deliveries;
  }
  if (shared.spec.broker == Broker::modu) {
    if (const auto seq = find_seq(frame.body); !seq) {
      ++tally.errors["MESSAGE without a seq"];
    } else {
      if (c.last_seq != 0 && *seq <= c.last_seq) ++tally.seq_disorder;
      if (c.last_seq != 0 && *seq > c.last_seq + 1) tally.seq_gaps += static_cast<std::uint64_t>(*seq - c.last_seq - 1);
      c.last_seq = std::max(c.last_seq, *seq);
    }
  }
  if (tally.window.measures(now)) {
    ++tally.delivered_measured;
    tally.delivery_latency.add(now - (shared.base + std::chrono::microseconds(id->sent_micros)));
  }
}

void on_receipt(Shared& shared, Connection& c, const FrameView& frame, Clock::time_point now) {
  auto& tally = c.tally;
  const auto id = frame.header("receipt-id").value_or("");
  std::uint64_t number = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), number);
  if (!c.plan.publishes || ec != std::errc() || end != id.data() + id.size() || number >= c.sent) {
    ++tally.errors[fmt::format("unexpected RECEIPT '{}'", id)];
    return;
  }
  // Receipts come in the order of the SENDs (one connection's frames are handled in order).
  if (number != c.acknowledged) ++tally.errors["RECEIPT out of order"];
  ++c.acknowledged;
  shared.acknowledged.fetch_add(1, std::memory_order_relaxed);
  shared.expected.fetch_add(shared.room_subscribers[c.plan.room], std::memory_order_relaxed);
  if (tally.window.measures(now)) {
    ++tally.acknowledged_measured;
    tally.receipt_latency.add(now - c.sent_at[number % c.sent_at.size()]);
  }
  c.wake.cancel();
}

asio::awaitable<void> read_loop(Shared& shared, Connection& c) {
  auto& tally = c.tally;
  try {
    for (bool first = true;; first = false) {
      auto now = Clock::now();
      if (!first) {
        auto [ec, bytes] = co_await c.socket.read();
        if (ec) {
          if (!shared.closing.load(std::memory_order_relaxed)) ++tally.errors["connection: " + ec.message()];
          break;
        }
        now = Clock::now();
        c.scanner.feed(bytes);
      }
      std::uint64_t new_deliveries = 0;
      while (auto frame = c.scanner.next()) {
        if (frame->command == "MESSAGE") {
          on_message(shared, c, *frame, now, new_deliveries);
        } else if (frame->command == "RECEIPT") {
          on_receipt(shared, c, *frame, now);
        } else if (frame->command == "ERROR") {
          ++tally.errors[fmt::format("ERROR {}", frame->header("message").value_or(frame->body))];
        } else {
          ++tally.errors[fmt::format("unexpected {}", frame->command)];
        }
      }
      if (new_deliveries > 0) shared.delivered.fetch_add(new_deliveries, std::memory_order_relaxed);
    }
  } catch (const ProtocolError& e) {
    ++tally.errors[fmt::format("bad STOMP: {}", e.what())];
  }
  if (!shared.closing.load(std::memory_order_relaxed)) shared.dropped.fetch_add(1, std::memory_order_relaxed);
  c.ended = true;
  c.socket.close();
  c.wake.cancel();
}

std::string send_frame(const Shared& shared, const Connection& c, std::uint64_t number, std::int64_t sent_micros) {
  const auto body = fmt::format(R"({{"type":"text","body":"{}","clientMsgId":"{}.{}.{}.{}"}})", kBenchMessageText,
                                shared.spec.run_id, c.publisher, number, sent_micros);
  return stomp::encode({stomp::Command::send,
                        {{"destination", shared.spec.rooms[c.plan.room].send_to},
                         {"receipt", std::to_string(number)},
                         {"content-type", "application/json"}},
                        body});
}

}  // namespace

asio::awaitable<void> open_connections(Shared& shared, Tally& tally) {
  const auto executor = co_await asio::this_coro::executor;
  const auto& spec = shared.spec;
  for (;;) {
    const auto i = shared.next_to_open.fetch_add(1);
    if (i >= spec.connections.size()) break;
    const auto& plan = spec.connections[i];
    shared.connections[i] = std::make_unique<Connection>(executor, plan, shared.publisher_of[i], tally);
    auto& c = *shared.connections[i];
    if (plan.subscribes) c.tracks.resize(shared.room_publishers[plan.room]);
    try {
      co_await open_connection(shared, c);
    } catch (const std::exception& e) {
      c.ended = true;
      c.socket.close();
      shared.setup_failed(e.what());
      continue;
    }
    c.ready = true;
    asio::co_spawn(executor, read_loop(shared, c), [&c](std::exception_ptr e) {
      if (e) ++c.tally.errors["read loop failed"];
    });
    shared.opened.fetch_add(1, std::memory_order_release);
  }
}

asio::awaitable<void> publish(Shared& shared, Connection& c, std::size_t publishers) {
  const auto& spec = shared.spec;
  const auto& window = c.tally.window;
  const auto in_flight = std::max<std::size_t>(spec.window, 1);
  c.sent_at.resize(in_flight);
  asio::steady_timer pace(co_await asio::this_coro::executor);
  // Paced: each publisher its share of the rate, the publishers' ticks spread evenly.
  const auto interval = spec.rate > 0 ? std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(static_cast<double>(publishers) / spec.rate))
                                      : Clock::duration::zero();
  auto next_at =
      window.start + interval * static_cast<std::int64_t>(c.publisher) / static_cast<std::int64_t>(publishers);

  for (std::uint64_t number = 0;; ++number) {
    if (interval > Clock::duration::zero()) {
      if (next_at >= window.end) break;
      if (Clock::now() < next_at) {
        pace.expires_at(next_at);
        co_await pace.async_wait(kUseTuple);
      }
      next_at += interval;
    }
    while (!c.ended && c.sent - c.acknowledged >= in_flight && Clock::now() < window.end) {
      c.wake.expires_at(window.end);
      co_await c.wake.async_wait(kUseTuple);
    }
    const auto now = Clock::now();
    if (c.ended || now >= window.end) break;
    const auto sent_micros = std::chrono::duration_cast<std::chrono::microseconds>(now - shared.base).count();
    c.sent_at[number % in_flight] = now;
    ++c.sent;
    if (auto ec = co_await c.socket.write(send_frame(shared, c, number, sent_micros))) {
      ++c.tally.errors["SEND: " + ec.message()];
      break;
    }
  }
  const auto give_up = window.end + kReceiptGrace;
  while (!c.ended && c.acknowledged < c.sent && Clock::now() < give_up) {
    c.wake.expires_at(give_up);
    co_await c.wake.async_wait(kUseTuple);
  }
  shared.publishers_done.fetch_add(1, std::memory_order_release);
}

}  // namespace modu::bench::realtime

// `modu bench direct`: many 1:1 rooms, both members of each pair subscribed and sending,
// over STOMP on WebSocket: deliveries per second, latency and loss.
#include "realtime_report.hpp"
#include "realtime_setup.hpp"
#include "scenario.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <iostream>

namespace modu::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct DirectOptions {
  RealtimeOptions common;
  PacingOptions pacing;
  std::size_t pairs = 100;
  std::size_t members = 100;
};

/// Pair k is members a = k mod M and a + d (mod M) with d = 1 + k div M: distinct pairs as
/// long as d stays at most (M - 1) / 2, so each member is in about 2 * pairs / M of them.
std::vector<std::pair<std::size_t, std::size_t>> make_pairs(std::size_t pairs, std::size_t members) {
  if (pairs > members * ((members - 1) / 2)) {
    throw UsageError(fmt::format("{} members make at most {} distinct pairs: raise --members", members,
                                 members * ((members - 1) / 2)));
  }
  std::vector<std::pair<std::size_t, std::size_t>> result;
  for (std::size_t k = 0; k < pairs; ++k) {
    const auto a = k % members;
    result.emplace_back(a, (a + 1 + k / members) % members);
  }
  return result;
}

class DirectScenario final : public Scenario {
 public:
  std::string_view name() const override { return "direct"; }
  std::string_view description() const override {
    return "many 1:1 rooms, both members subscribed and sending over STOMP/WebSocket: deliveries/s, latency, loss";
  }

  void add_options(CLI::App& command) override {
    add_realtime_options(command, options_.common, false);
    command.add_option("--pairs", options_.pairs, "1:1 rooms; each has two connections, one per member")
        ->capture_default_str()
        ->check(CLI::Range(1, 50000));
    command.add_option("--members", options_.members, "members signed up; the pairs are drawn from them")
        ->capture_default_str()
        ->check(CLI::Range(3, 100000));
    add_pacing_options(command, options_.pacing,
                       {"messages a second from all connections together, evenly paced; 0: each sends as fast as "
                        "its window allows",
                        "SENDs a connection has in flight, each awaiting its RECEIPT",
                        "seconds of sending before measuring"});
  }

  int run() override {
    const auto pairs = make_pairs(options_.pairs, options_.members);
    const auto target = resolve_target(options_.common.url);
    auto& out = options_.common.json ? std::cerr : std::cout;
    out << fmt::format(
        "modu bench direct: {} 1:1 rooms among {} members, 2 connections each (window {}, {}), {} on "
        "{} thread(s)\n",
        options_.pairs, options_.members, options_.pacing.window, pacing_label(options_.pacing), options_.common.url,
        options_.common.threads);

    auto spec = realtime_spec(options_.common, Broker::modu, target, out);
    apply_pacing(spec, options_.pacing);

    const auto setup_start = Clock::now();
    const auto accounts = sign_up_members(target, spec.run_id, options_.members);
    const auto rooms = open_direct_rooms(target, accounts, pairs);
    out << fmt::format("setup: {} members signed up and logged in, {} 1:1 rooms opened, in {:.1f} s\n", accounts.size(),
                       rooms.size(), std::chrono::duration<double>(Clock::now() - setup_start).count())
        << std::flush;

    for (std::size_t k = 0; k < pairs.size(); ++k) {
      spec.rooms.push_back(modu_room(rooms[k]));
      for (const auto member : {pairs[k].first, pairs[k].second}) {
        ConnectionPlan plan;
        plan.passcode = accounts[member].token;
        plan.room = k;
        plan.subscribes = true;
        plan.publishes = true;
        spec.connections.push_back(std::move(plan));
      }
    }

    auto result = run_realtime(spec);
    return report_realtime(out, result, options_.common.json,
                           {{"scenario", "direct"},
                            {"broker", "modu"},
                            {"url", options_.common.url},
                            {"pairs", options_.pairs},
                            {"members", options_.members},
                            {"rate", options_.pacing.rate},
                            {"window", options_.pacing.window},
                            {"threads", options_.common.threads},
                            {"warmupSeconds", options_.pacing.warmup_seconds},
                            {"durationSeconds", options_.pacing.duration_seconds}});
  }

 private:
  DirectOptions options_;
};

}  // namespace

std::unique_ptr<Scenario> make_direct_scenario() { return std::make_unique<DirectScenario>(); }

}  // namespace modu::bench

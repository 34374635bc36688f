// `modu bench fanout`: one room, S subscribers and P publishers over STOMP on WebSocket;
// deliveries per second, latency from send to every subscriber, and loss. Also against a
// plain STOMP broker (RabbitMQ Web-STOMP) as the reference.
#include "realtime_report.hpp"
#include "realtime_setup.hpp"
#include "scenario.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <iostream>

namespace modu::bench {
namespace {

struct FanoutOptions {
  RealtimeOptions common;
  PacingOptions pacing;
  std::size_t subscribers = 100;
  std::size_t publishers = 4;
  std::size_t members = 100;
};

class FanoutScenario final : public Scenario {
 public:
  std::string_view name() const override { return "fanout"; }
  std::string_view description() const override {
    return "one room, S subscribers and P publishers over STOMP/WebSocket: deliveries/s, send -> MESSAGE latency, loss";
  }

  void add_options(CLI::App& command) override {
    add_realtime_options(command, options_.common, true);
    command.add_option("--subscribers", options_.subscribers, "connections subscribed to the room")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    command.add_option("--publishers", options_.publishers, "connections sending into the room")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    command
        .add_option("--members", options_.members,
                    "modu: members signed up and put in the room; connection i is member i mod this")
        ->capture_default_str()
        ->check(CLI::Range(3, 100000));
    add_pacing_options(command, options_.pacing,
                       {"messages a second from all publishers together, evenly paced; 0: each publisher sends as "
                        "fast as its window allows",
                        "SENDs a publisher has in flight, each awaiting its RECEIPT",
                        "seconds of publishing before measuring"});
  }

  int run() override {
    const auto broker = broker_of(options_.common);
    const auto target = resolve_target(options_.common.url);
    auto& out = options_.common.json ? std::cerr : std::cout;
    const auto members = std::min(options_.members, options_.subscribers + options_.publishers);
    out << fmt::format("modu bench fanout: {} subscribers, {} publishers (window {}, {}), {} on {} thread(s)\n",
                       options_.subscribers, options_.publishers, options_.pacing.window, pacing_label(options_.pacing),
                       broker_label(options_.common, broker), options_.common.threads);

    auto spec = realtime_spec(options_.common, broker, target, out);
    apply_pacing(spec, options_.pacing);
    const auto accounts = set_up_one_room(spec, options_.common, std::max<std::size_t>(members, 3), out);

    const auto total = options_.subscribers + options_.publishers;
    for (std::size_t i = 0; i < total; ++i) {
      ConnectionPlan plan;
      set_credentials(plan, options_.common, broker, accounts, i);
      plan.room = 0;
      plan.subscribes = i < options_.subscribers;
      plan.publishes = !plan.subscribes;
      spec.connections.push_back(std::move(plan));
    }

    auto result = run_realtime(spec);
    return report_realtime(out, result, options_.common.json,
                           {{"scenario", "fanout"},
                            {"broker", options_.common.broker},
                            {"url", options_.common.url},
                            {"members", broker == Broker::modu ? accounts.size() : 0},
                            {"rate", options_.pacing.rate},
                            {"window", options_.pacing.window},
                            {"threads", options_.common.threads},
                            {"warmupSeconds", options_.pacing.warmup_seconds},
                            {"durationSeconds", options_.pacing.duration_seconds}});
  }

 private:
  FanoutOptions options_;
};

}  // namespace

std::unique_ptr<Scenario> make_fanout_scenario() { return std::make_unique<FanoutScenario>(); }

}  // namespace modu::bench

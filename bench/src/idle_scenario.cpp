// `modu bench idle`: N authenticated, subscribed connections that send nothing: the
// server's memory a connection, and whether they all stay open.
#include "realtime_report.hpp"
#include "realtime_setup.hpp"
#include "scenario.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <iostream>

namespace modu::bench {
namespace {

struct IdleOptions {
  RealtimeOptions common;
  std::size_t connections = 1000;
  std::size_t members = 100;
  double hold_seconds = 5;
  std::string subscribe = "both";  ///< both | room | none
};

class IdleScenario final : public Scenario {
 public:
  std::string_view name() const override { return "idle"; }
  std::string_view description() const override {
    return "N idle authenticated, subscribed STOMP/WebSocket connections: server memory a connection";
  }

  void add_options(CLI::App& command) override {
    add_realtime_options(command, options_.common, true);
    command
        .add_option("--connections", options_.connections,
                    "connections to open (each needs a socket here and one in the server: mind RLIMIT_NOFILE)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    command
        .add_option("--members", options_.members,
                    "modu: members signed up, all in one group room; connection i is member i mod this")
        ->capture_default_str()
        ->check(CLI::Range(3, 100000));
    command.add_option("--hold", options_.hold_seconds, "seconds to keep them open once all are connected")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    command
        .add_option("--subscribe", options_.subscribe,
                    "what each connection subscribes to: both (the room and, modu, /user/queue/events), room, "
                    "or none (CONNECT only)")
        ->capture_default_str()
        ->check(CLI::IsMember({"both", "room", "none"}));
  }

  int run() override {
    const auto broker = broker_of(options_.common);
    const auto target = resolve_target(options_.common.url);
    auto& out = options_.common.json ? std::cerr : std::cout;
    const auto members = std::min(options_.members, std::max<std::size_t>(options_.connections, 3));
    out << fmt::format("modu bench idle: {} connections subscribing to {}, {}, on {} thread(s)\n", options_.connections,
                       options_.subscribe, broker_label(options_.common, broker), options_.common.threads);

    auto spec = realtime_spec(options_.common, broker, target, out);
    spec.hold = millis(options_.hold_seconds);
    const auto accounts = set_up_one_room(spec, options_.common, members, out);

    for (std::size_t i = 0; i < options_.connections; ++i) {
      ConnectionPlan plan;
      set_credentials(plan, options_.common, broker, accounts, i);
      if (broker == Broker::modu && options_.subscribe == "both") plan.also_subscribe.push_back("/user/queue/events");
      plan.room = 0;
      plan.subscribes = options_.subscribe != "none";
      spec.connections.push_back(std::move(plan));
    }

    auto result = run_realtime(spec);
    return report_realtime(out, result, options_.common.json,
                           {{"scenario", "idle"},
                            {"broker", options_.common.broker},
                            {"url", options_.common.url},
                            {"members", accounts.size()},
                            {"subscribe", options_.subscribe},
                            {"holdSeconds", options_.hold_seconds},
                            {"threads", options_.common.threads}});
  }

 private:
  IdleOptions options_;
};

}  // namespace

std::unique_ptr<Scenario> make_idle_scenario() { return std::make_unique<IdleScenario>(); }

}  // namespace modu::bench

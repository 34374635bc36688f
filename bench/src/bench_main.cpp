// `modu bench`: the load generator's entry point. Each scenario is a subcommand of its
// own (bench send, bench raw-insert, ...); this file only lists them and runs the one
// chosen.
#include "bench_command.hpp"

#include "scenario.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include <iostream>

namespace modu::bench {
namespace {

/// Every scenario, in the order `modu bench --help` lists them: a new one is one line here.
std::vector<std::unique_ptr<Scenario>> all_scenarios() {
  std::vector<std::unique_ptr<Scenario>> scenarios;
  scenarios.push_back(make_send_scenario());
  scenarios.push_back(make_raw_insert_scenario());
  scenarios.push_back(make_fanout_scenario());
  scenarios.push_back(make_direct_scenario());
  scenarios.push_back(make_idle_scenario());
  return scenarios;
}

/// Every sender, subscriber or idle connection holds a socket: 1,024 of them do not fit
/// the usual soft limit of 1,024 open files (`idle` opens 19,000), so take the hard
/// limit, as the server does.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

/// Results go to stdout (a script may read them); what the storage code logs goes to
/// stderr, so it never mixes into a `--json` line.
void log_to_stderr() {
  auto logger = spdlog::stderr_logger_mt("bench");
  logger->set_pattern("%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace

BenchCommand::BenchCommand(CLI::App& parent) {
  command_ = parent.add_subcommand("bench", "load generator: run a scenario against a server or the database");
  command_->require_subcommand(1);
  for (auto& scenario : all_scenarios()) {
    auto* sub = command_->add_subcommand(std::string(scenario->name()), std::string(scenario->description()));
    scenario->add_options(*sub);
    scenarios_.emplace_back(sub, std::move(scenario));
  }
}

BenchCommand::~BenchCommand() = default;

bool BenchCommand::chosen() const { return command_->parsed(); }

int BenchCommand::run() {
  raise_file_limit();
  log_to_stderr();
  for (auto& [command, scenario] : scenarios_) {
    if (!command->parsed()) continue;
    try {
      return scenario->run();
    } catch (const UsageError& e) {
      std::cerr << "modu bench " << scenario->name() << ": " << e.what() << "\n";
      return kExitUsage;
    } catch (const std::exception& e) {
      std::cerr << "modu bench " << scenario->name() << ": failed: " << e.what() << "\n";
      return kExitFailed;
    }
  }
  return kExitUsage;  // CLI11 requires a scenario, so this is not reached
}

}  // namespace modu::bench

#pragma once

#include <memory>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace modu::bench {

class Scenario;

/// `modu bench <scenario> [options]`, the load generator, as a subcommand of the program's
/// command line. Construct it before parsing; afterwards `chosen()` says whether the user
/// asked for it, and `run()` runs the scenario they named.
class BenchCommand {
 public:
  explicit BenchCommand(CLI::App& parent);
  ~BenchCommand();
  BenchCommand(const BenchCommand&) = delete;
  BenchCommand& operator=(const BenchCommand&) = delete;

  bool chosen() const;

  /// Runs the chosen scenario; returns the process exit code (see scenario.hpp).
  int run();

 private:
  CLI::App* command_;
  std::vector<std::pair<CLI::App*, std::unique_ptr<Scenario>>> scenarios_;
};

}  // namespace modu::bench

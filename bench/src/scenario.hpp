#pragma once

#include <memory>
#include <stdexcept>
#include <string_view>

namespace CLI {
class App;
}

namespace modu::bench {

/// Exit codes every scenario keeps: 0 done, 1 the run failed (the server or the database
/// broke, or a check found lost messages), 2 bad command-line input.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

/// The text of every bench message: `send` and `raw-insert` store the same rows.
inline constexpr std::string_view kBenchMessageText = "hello there, this is a bench message";

/// Bad input the option parser cannot see on its own (options that contradict each
/// other, a URL that is not http://host:port): reported with exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One workload of `modu bench`. It declares its options on its own subcommand; once the
/// command line is parsed, `run` does the work, prints its results and returns the exit
/// code. It may throw UsageError (exit 2) or any other exception (exit 1).
class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  virtual void add_options(CLI::App& command) = 0;
  virtual int run() = 0;
};

// The scenarios; bench_main.cpp lists them.
std::unique_ptr<Scenario> make_send_scenario();
std::unique_ptr<Scenario> make_raw_insert_scenario();
std::unique_ptr<Scenario> make_fanout_scenario();
std::unique_ptr<Scenario> make_direct_scenario();
std::unique_ptr<Scenario> make_idle_scenario();

}  // namespace modu::bench

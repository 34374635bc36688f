// `modu bench send`: durable messages per second through the running server, over
// HTTP/1.1 keep-alive with real tokens, then a check that every 201 is stored, once.
#include "fixture.hpp"
#include "scenario.hpp"
#include "send_load.hpp"
#include "stats.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

namespace modu::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct SendOptions {
  std::string url;
  std::size_t senders = 64;
  double duration_seconds = 10;
  double warmup_seconds = 2;
  std::size_t rooms = 8;
  std::size_t members = 16;
  std::size_t room_size = 4;
  unsigned threads = 1;
  bool json = false;
};

/// The check after the run, from each room's message count before and after it.
struct Check {
  std::uint64_t stored = 0;      ///< messages the rooms gained during the run
  std::uint64_t lost = 0;        ///< acknowledged (201) but not stored
  std::uint64_t duplicated = 0;  ///< stored more than acknowledged, beyond the in-doubt sends
  std::uint64_t bad_seqs = 0;    ///< 201s whose seq repeats another's or lies outside the run's range
  bool ok() const { return lost == 0 && duplicated == 0 && bad_seqs == 0; }
};

Check check_stored(const std::vector<std::int64_t>& before, const std::vector<std::int64_t>& after, LoadResult& load) {
  Check check;
  std::uint64_t extra = 0;
  for (std::size_t r = 0; r < before.size(); ++r) {
    auto& seqs = load.seqs[r];
    const auto stored = static_cast<std::uint64_t>(std::max<std::int64_t>(after[r] - before[r], 0));
    check.stored += stored;
    check.lost += seqs.size() > stored ? seqs.size() - stored : 0;
    extra += stored > seqs.size() ? stored - seqs.size() : 0;
    // Every 201 carries the seq the server gave the message: in a room no one else
    // writes to, they are distinct and lie between the counts before and after.
    std::sort(seqs.begin(), seqs.end());
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      if ((i > 0 && seqs[i] == seqs[i - 1]) || seqs[i] <= before[r] || seqs[i] > after[r]) ++check.bad_seqs;
    }
  }
  check.duplicated = extra > load.in_doubt ? extra - load.in_doubt : 0;
  return check;
}

std::string errors_text(const std::map<std::string, std::uint64_t>& errors) {
  if (errors.empty()) return "none";
  std::string text;
  for (const auto& [what, count] : errors) text += fmt::format("{}{}: {}", text.empty() ? "" : ", ", what, count);
  return text;
}

void print_load(std::ostream& out, const SendOptions& options, LoadResult& load) {
  const double rate = static_cast<double>(load.measured) / options.duration_seconds;
  out << fmt::format("measured {:g} s after {:g} s of warm-up:\n", options.duration_seconds, options.warmup_seconds);
  out << fmt::format("  durable messages (201): {} = {} msg/s\n", with_commas(load.measured),
                     with_commas(static_cast<std::uint64_t>(std::llround(rate))));
  out << fmt::format("  latency send -> 201:    p50 {}, p90 {}, p99 {}, max {}\n",
                     format_ms(load.latency.percentile(0.5)), format_ms(load.latency.percentile(0.9)),
                     format_ms(load.latency.percentile(0.99)), format_ms(load.latency.max()));
  out << fmt::format("  errors:                 {}\n", errors_text(load.errors));
}

void print_check(std::ostream& out, const LoadResult& load, const Check& result) {
  out << fmt::format("check: {} acknowledged in all (warm-up included), {} stored (messages/count){}: {}\n",
                     with_commas(load.acknowledged), with_commas(result.stored),
                     load.in_doubt ? fmt::format(", {} sends in doubt", load.in_doubt) : "",
                     result.ok() ? "nothing lost, nothing duplicated"
                                 : fmt::format("FAILED: {} lost, {} duplicated, {} bad seqs", result.lost,
                                               result.duplicated, result.bad_seqs));
}

/// Boost.JSON writes every double with an exponent ("2E0"); whole seconds read better as integers.
boost::json::value seconds_json(double seconds) {
  if (seconds == std::floor(seconds)) return static_cast<std::int64_t>(seconds);
  return seconds;
}

std::string json_line(const SendOptions& options, LoadResult& load, const Check& result) {
  boost::json::object errors;
  std::uint64_t error_count = 0;
  for (const auto& [what, count] : load.errors) {
    errors[what] = count;
    error_count += count;
  }
  return boost::json::serialize(boost::json::object{
      {"scenario", "send"},
      {"url", options.url},
      {"senders", options.senders},
      {"threads", options.threads},
      {"members", options.members},
      {"rooms", options.rooms},
      {"roomSize", options.room_size},
      {"warmupSeconds", seconds_json(options.warmup_seconds)},
      {"durationSeconds", seconds_json(options.duration_seconds)},
      {"measured", load.measured},
      {"messagesPerSecond", std::llround(static_cast<double>(load.measured) / options.duration_seconds)},
      {"latencyUs",
       {{"p50", load.latency.percentile(0.5).count()},
        {"p90", load.latency.percentile(0.9).count()},
        {"p99", load.latency.percentile(0.99).count()},
        {"max", load.latency.max().count()}}},
      {"errors", std::move(errors)},
      {"errorCount", error_count},
      {"acknowledged", load.acknowledged},
      {"stored", result.stored},
      {"inDoubt", load.in_doubt},
      {"lost", result.lost},
      {"duplicated", result.duplicated},
      {"badSeqs", result.bad_seqs},
      {"ok", result.ok()}});
}

class SendScenario final : public Scenario {
 public:
  std::string_view name() const override { return "send"; }
  std::string_view description() const override {
    return "durable messages/s through a running server: N senders POST /api/v1/rooms/{id}/messages over keep-alive";
  }

  void add_options(CLI::App& command) override {
    command.add_option("--url", options_.url, "the server, e.g. http://127.0.0.1:8080")->required();
    command.add_option("--senders", options_.senders, "concurrent senders, each on its own connection")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    command.add_option("--duration", options_.duration_seconds, "seconds measured, after the warm-up")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    command.add_option("--warmup", options_.warmup_seconds, "seconds of sending before measuring")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    command.add_option("--rooms", options_.rooms, "group rooms; sender i posts to room i mod rooms")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    command.add_option("--members", options_.members, "members signed up (argon2id: each costs the server ~0.1 s)")
        ->capture_default_str()
        ->check(CLI::Range(3, 1000));
    command.add_option("--room-size", options_.room_size, "members of each room, its creator included (3+: a group)")
        ->capture_default_str()
        ->check(CLI::Range(3, 500));
    command.add_option("--threads", options_.threads, "client threads, each with its own event loop")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    command.add_flag("--json", options_.json, "print one JSON line of results on stdout (the summary goes to stderr)");
  }

  int run() override {
    if (options_.room_size > options_.members) {
      throw UsageError(fmt::format("--room-size {} needs at least as many --members (got {})", options_.room_size,
                                   options_.members));
    }
    const auto target = resolve_target(options_.url);
    auto& out = options_.json ? std::cerr : std::cout;
    out << fmt::format("modu bench send: {} senders on {} thread(s), {} members in {} rooms of {}, {}\n",
                       options_.senders, options_.threads, options_.members, options_.rooms, options_.room_size,
                       options_.url);

    const auto run_id = new_run_id();
    const auto setup_start = Clock::now();
    const auto fixture = build_fixture(target, {run_id, options_.members, options_.rooms, options_.room_size});
    const auto before = count_messages(target, fixture);
    const std::chrono::duration<double> setup_time = Clock::now() - setup_start;
    out << fmt::format("setup: {} members signed up and logged in, {} rooms opened, in {:.1f} s\n", options_.members,
                       options_.rooms, setup_time.count())
        << std::flush;

    auto load = run_load({target, &fixture, run_id, options_.senders, options_.threads, millis(options_.warmup_seconds),
                          millis(options_.duration_seconds)});
    print_load(out, options_, load);
    const auto result = check_stored(before, count_messages(target, fixture), load);
    print_check(out, load, result);
    if (options_.json) std::cout << json_line(options_, load, result) << std::endl;
    return result.ok() ? kExitOk : kExitFailed;
  }

 private:
  SendOptions options_;
};

}  // namespace

std::unique_ptr<Scenario> make_send_scenario() { return std::make_unique<SendScenario>(); }

}  // namespace modu::bench

#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace modu::bench {

/// The process of the server under test, read from /proc (Linux): its memory and CPU, so
/// a run can say what each connection costs and where the time went.
class ServerProcess {
 public:
  explicit ServerProcess(pid_t pid) : pid_(pid) {}

  /// The process listening on this TCP port on this machine (from /proc/net/tcp and each
  /// process's fd folder; needs the rights to read them), or nullopt.
  static std::optional<ServerProcess> listening_on(std::uint16_t port);

  pid_t pid() const { return pid_; }

  /// Resident memory (VmRSS), in bytes; nullopt once the process is gone.
  std::optional<std::uint64_t> rss_bytes() const;

  /// CPU time (user + system) of every thread so far.
  struct Cpu {
    std::chrono::microseconds total{0};
    struct Thread {
      pid_t tid = 0;
      std::string name;
      std::chrono::microseconds time{0};
    };
    std::vector<Thread> threads;
  };
  Cpu cpu() const;

 private:
  pid_t pid_;
};

/// How busy the server was between two CPU readings: the share of one core the whole
/// process used, and each thread's, busiest first.
struct CpuUse {
  double process = 0;  ///< 1.0 = one core the whole time
  struct Thread {
    pid_t tid = 0;
    std::string name;
    double share = 0;
  };
  std::vector<Thread> threads;
};
CpuUse cpu_use(const ServerProcess::Cpu& before, const ServerProcess::Cpu& after, std::chrono::nanoseconds wall);

/// This process's own CPU time (user + system), for the client's side of the same question.
std::chrono::microseconds own_cpu_time();

/// CPU time every core of the machine spent busy so far (/proc/stat: all but idle and
/// iowait): minus the server's and the bench's own, what other processes took from a run.
std::chrono::microseconds machine_busy_time();

/// "0.93 cores (threads 0.45, 0.40, 0.05)".
std::string describe(const CpuUse& use);

}  // namespace modu::bench

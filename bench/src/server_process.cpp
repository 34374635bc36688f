#include "server_process.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace modu::bench {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kListen = "0A";  // TCP_LISTEN in /proc/net/tcp's `st` column

std::chrono::microseconds ticks_to_micros(std::uint64_t ticks) {
  static const auto per_second = static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK));
  return std::chrono::microseconds(ticks * 1'000'000 / per_second);
}

/// A thread's name and user + system time from its `stat` file. The name sits in
/// parentheses and may itself hold spaces or parentheses, so fields are counted from the last ')'.
std::optional<ServerProcess::Cpu::Thread> read_stat(const fs::path& file) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  // After the name: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15).
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
  }
  ServerProcess::Cpu::Thread thread;
  thread.tid = static_cast<pid_t>(std::stol(text.substr(0, open)));
  thread.name = text.substr(open + 1, close - open - 1);
  thread.time = ticks_to_micros(utime + stime);
  return thread;
}

/// Inodes of the sockets listening on `port` in one of /proc/net/tcp, tcp6.
void listening_inodes(const fs::path& table, std::uint16_t port, std::vector<std::string>& inodes) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // the column titles
  const auto wanted = fmt::format(":{:04X}", port);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode)) {
      continue;
    }
    if (state == kListen && local.ends_with(wanted)) inodes.push_back(inode);
  }
}

}  // namespace

std::optional<ServerProcess> ServerProcess::listening_on(std::uint16_t port) {
  std::vector<std::string> inodes;
  listening_inodes("/proc/net/tcp", port, inodes);
  listening_inodes("/proc/net/tcp6", port, inodes);
  if (inodes.empty()) return std::nullopt;
  std::vector<std::string> targets;
  for (const auto& inode : inodes) targets.push_back("socket:[" + inode + "]");
  std::error_code ec;
  for (const auto& process : fs::directory_iterator("/proc", ec)) {
    const auto name = process.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::error_code fd_ec;
    for (const auto& fd : fs::directory_iterator(process.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      const auto target = fs::read_symlink(fd.path(), link_ec).string();
      if (!link_ec && std::find(targets.begin(), targets.end(), target) != targets.end()) {
        return ServerProcess(static_cast<pid_t>(std::stol(name)));
      }
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> ServerProcess::rss_bytes() const {
  std::ifstream in(fmt::format("/proc/{}/status", pid_));
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) {
      std::istringstream fields(line.substr(6));
      std::uint64_t kib = 0;
      if (fields >> kib) return kib * 1024;
    }
  }
  return std::nullopt;
}

ServerProcess::Cpu ServerProcess::cpu() const {
  Cpu cpu;
  std::error_code ec;
  for (const auto& task : fs::directory_iterator(fmt::format("/proc/{}/task", pid_), ec)) {
    if (auto thread = read_stat(task.path() / "stat")) {
      cpu.total += thread->time;
      cpu.threads.push_back(std::move(*thread));
    }
  }
  return cpu;
}

CpuUse cpu_use(const ServerProcess::Cpu& before, const ServerProcess::Cpu& after, std::chrono::nanoseconds wall) {
  CpuUse use;
  const double seconds = std::chrono::duration<double>(wall).count();
  if (seconds <= 0) return use;
  const auto share = [seconds](std::chrono::microseconds time) {
    return std::chrono::duration<double>(time).count() / seconds;
  };
  use.process = share(after.total - before.total);
  std::map<pid_t, std::chrono::microseconds> earlier;
  for (const auto& thread : before.threads) earlier[thread.tid] = thread.time;
  for (const auto& thread : after.threads) {
    const auto was = earlier.contains(thread.tid) ? earlier[thread.tid] : std::chrono::microseconds(0);
    use.threads.push_back({thread.tid, thread.name, share(thread.time - was)});
  }
  std::sort(use.threads.begin(), use.threads.end(), [](const auto& a, const auto& b) { return a.share > b.share; });
  return use;
}

std::chrono::microseconds own_cpu_time() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto micros = [](const timeval& t) { return std::int64_t(t.tv_sec) * 1'000'000 + t.tv_usec; };
  return std::chrono::microseconds(micros(usage.ru_utime) + micros(usage.ru_stime));
}

std::chrono::microseconds machine_busy_time() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  // cpu  user nice system idle iowait irq softirq steal ...
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) || cpu != "cpu") return {};
  return ticks_to_micros(user + nice + system + irq + softirq + steal);
}

std::string describe(const CpuUse& use) {
  std::string busiest;
  for (const auto& thread : use.threads) {
    if (thread.share < 0.01) break;
    busiest += fmt::format("{}{:.2f}", busiest.empty() ? "" : ", ", thread.share);
  }
  return fmt::format("{:.2f} cores (threads {})", use.process, busiest.empty() ? "idle" : busiest);
}

}  // namespace modu::bench

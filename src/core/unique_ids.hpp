#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <random>
#include <string>

namespace modu {

/// Ids unique across threads, restarts and instances without a shared counter: a random
/// 64-bit prefix of its own, and a count ("3f0c9a1e5b7d2468-2a").
/// @par Thread safety
/// None: one source per thread, or per owner that lives on one.
class UniqueIds {
 public:
  UniqueIds() : prefix_(std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32)) {}

  std::string next() { return fmt::format("{:016x}-{:x}", prefix_, ++count_); }

 private:
  std::uint64_t prefix_;
  std::uint64_t count_ = 0;
};

}  // namespace modu

#include "core/unique_ids.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace modu {

std::string unique_id() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium cannot start");
  constexpr std::size_t kIdBytes = 12;
  // Debian's libsodium reads the kernel's generator, a system call (~1 µs) a read: each
  // thread reads 340 ids' worth at once and hands them out in turn.
  thread_local std::array<unsigned char, kIdBytes * 340> pool;
  thread_local std::size_t used = pool.size();
  if (used == pool.size()) {
    randombytes_buf(pool.data(), pool.size());
    used = 0;
  }
  std::array<char, kIdBytes * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), pool.data() + used, kIdBytes);
  used += kIdBytes;
  return std::string(hex.data(), kIdBytes * 2);
}

}  // namespace modu

#include "core/unique_ids.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace modu {

std::string unique_id() {
  // libsodium's generator is a ChaCha20 stream keyed from the kernel: no system call per id.
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium cannot start");
  std::array<unsigned char, 12> bits{};
  randombytes_buf(bits.data(), bits.size());
  std::array<char, bits.size() * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bits.data(), bits.size());
  return std::string(hex.data(), bits.size() * 2);
}

}  // namespace modu

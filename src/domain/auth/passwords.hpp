#pragma once

#include <string>
#include <string_view>

namespace modu::auth {

/// argon2id through libsodium. Slow on purpose: call from the worker pool.
/// @par Thread safety
/// Stateless; safe from any thread.
class PasswordHasher {
 public:
  PasswordHasher(unsigned long long ops_limit, std::size_t mem_limit_bytes);

  std::string hash(std::string_view password) const;
  bool verify(const std::string& hash, std::string_view password) const;
  /// Spends the time a verification would, for a login whose email is unknown, so that
  /// response times do not tell which emails have accounts.
  void verify_nothing(std::string_view password) const;

 private:
  unsigned long long ops_limit_;
  std::size_t mem_limit_bytes_;
  std::string decoy_hash_;
};

}  // namespace modu::auth

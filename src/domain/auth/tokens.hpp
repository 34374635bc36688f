#pragma once

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/principal.hpp"
#include "core/text.hpp"

#include <chrono>
#include <mutex>
#include <unordered_map>
#include <string>

namespace modu::auth {

/// Short-lived HS256 access tokens (libjwt) with `sub`, `jti`, `sid`, `iat`, `exp`.
/// @par Thread safety
/// Safe from any thread.
class AccessTokens {
 public:
  AccessTokens(std::string secret, std::chrono::seconds lifetime, const Clock& clock)
      : secret_(std::move(secret)), lifetime_(lifetime), clock_(clock) {}

  struct Issued {
    std::string token;
    std::chrono::seconds expires_in;
  };
  Issued issue(MemberId member, const std::string& session_id) const;
  std::chrono::seconds lifetime() const { return lifetime_; }

  /// UNAUTHORIZED for a bad signature, another algorithm, a malformed or expired token.
  Result<Principal> verify(std::string_view token) const;

 private:
  Result<Principal> decode(const std::string& token) const;

  std::string secret_;
  std::chrono::seconds lifetime_;
  const Clock& clock_;

  // Tokens already verified, by their exact text (signature included, so a forged token
  // never matches). A client sends the same token with every request of its lifetime,
  // and decoding it each time (base64, JSON, HMAC) took a tenth of the I/O threads' CPU
  // under the message-send benchmark.
  // Expiry is still checked on every use; the deny list is the caller's.
  static constexpr std::size_t kVerifiedMax = 8192;
  mutable std::mutex verified_mutex_;
  mutable std::unordered_map<std::string, Principal, TextHash, std::equal_to<>> verified_;
};

/// 256 random bits, base64url without padding: refresh tokens and ids nobody can guess.
std::string random_token();
/// SHA-256, hex: how refresh tokens are stored.
std::string token_hash(std::string_view token);

}  // namespace modu::auth

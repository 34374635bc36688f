#pragma once

#include "core/ids.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace modu::auth {

using TimePoint = std::chrono::system_clock::time_point;

struct RefreshToken {
  std::int64_t id;
  MemberId member;
  std::string family;
  TimePoint expires_at;
  bool spent;
  bool revoked;
};

/// Refresh tokens by their hash. Blocking: call from the worker pool.
class RefreshTokenRepository {
 public:
  virtual ~RefreshTokenRepository() = default;
  virtual void add(MemberId member, const std::string& family, const std::string& hash, TimePoint at,
                   TimePoint expires_at) = 0;
  virtual std::optional<RefreshToken> find(const std::string& hash) = 0;
  /// Spends a live token and adds its successor to the family, in one transaction: of
  /// two concurrent reissues with one token only one wins, and a family revoked by the
  /// loser can never keep a live token.
  /// False when the token was spent or revoked already (nothing is added then).
  virtual bool rotate(const RefreshToken& spent, const std::string& next_hash, TimePoint at,
                      TimePoint expires_at) = 0;
  virtual void revoke_family(const std::string& family, TimePoint at) = 0;
};

}  // namespace modu::auth

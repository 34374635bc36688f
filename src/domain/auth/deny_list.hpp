#pragma once

#include <chrono>
#include <string>

namespace modu::auth {

/// Access tokens revoked before they expire, by token id (`jti`) or by session (`sid`:
/// logout and refresh-token theft end every access token of a session), each kept
/// until the tokens would have expired anyway. In memory by default; in Redis across instances.
/// @par Thread safety
/// Implementations are safe from any thread.
class TokenDenyList {
 public:
  virtual ~TokenDenyList() = default;
  virtual void deny(const std::string& id, std::chrono::system_clock::time_point expires_at) = 0;
  virtual bool denied(const std::string& id) const = 0;
};

}  // namespace modu::auth

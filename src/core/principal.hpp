#pragma once

#include "core/ids.hpp"

#include <chrono>
#include <string>

namespace modu {

/// Who a request speaks for: the member of a verified access token, and the token's
/// own identity (for logout, which deny-lists it and ends its session).
struct Principal {
  MemberId member;
  std::string token_id;    ///< the access token's `jti`
  std::string session_id;  ///< the refresh-token family the access token was issued in
  std::chrono::system_clock::time_point expires_at;
};

}  // namespace modu

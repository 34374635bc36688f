#pragma once

#include <algorithm>
#include <optional>
#include <string_view>

namespace modu::http {

/// The token of an `Authorization: Bearer <token>` value (also a STOMP CONNECT header);
/// none for another scheme or no token. The scheme's name is case-insensitive (RFC 9110,
/// 11.1): clients that copy an OAuth `token_type` send `bearer`.
inline std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  if (authorization.size() <= kScheme.size() || authorization[kScheme.size()] != ' ' ||
      !std::equal(kScheme.begin(), kScheme.end(), authorization.begin(),
                  [&](char scheme, char given) { return lower(given) == scheme; })) {
    return std::nullopt;
  }
  auto token = authorization.substr(kScheme.size());
  token.remove_prefix(std::min(token.find_first_not_of(' '), token.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace modu::http

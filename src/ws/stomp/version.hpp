#pragma once

#include "core/errors.hpp"

#include <optional>
#include <string_view>

namespace modu::stomp {

/// The versions this server speaks, as the `version` header of an ERROR frame sent before
/// CONNECTED: the one that refuses a client offering none of them, and any other refusal.
inline constexpr std::string_view kSupportedVersions = "1.1,1.2";

/// Picks the protocol version from a CONNECT frame's `accept-version` header, a comma list
/// ("1.0,1.1,1.2"): the highest of 1.2 and 1.1 the client offers. An absent header means the
/// client speaks only 1.0, which is refused like any list without 1.1 or 1.2 (Errc::bad_request).
Result<std::string_view> negotiate_version(std::optional<std::string_view> accept_version);

}  // namespace modu::stomp

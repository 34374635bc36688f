#pragma once

#include "core/errors.hpp"

#include <string>
#include <string_view>

namespace modu::stomp {

/// Header escaping of STOMP 1.2: CR, LF, colon and backslash become `\r`, `\n`, `\c`, `\\`.
/// Not applied to CONNECT and CONNECTED frames (see `escapes_headers`).
std::string escape_header(std::string_view text);

/// The reverse of `escape_header`. Any other escape (`\t`), or a backslash at the end, is a
/// fatal protocol error: Errc::bad_request naming the sequence.
Result<std::string> unescape_header(std::string_view text);

}  // namespace modu::stomp

#pragma once

#include "core/errors.hpp"

#include <string>
#include <string_view>

namespace modu::stomp {

/// Which escapes a header may use: STOMP 1.2's four, or 1.1's three (no `\r`).
enum class Escapes { stomp_1_2, stomp_1_1 };

/// Header escaping of STOMP 1.2: CR, LF, colon and backslash become `\r`, `\n`, `\c`, `\\`.
/// Not applied to CONNECT and CONNECTED frames (see `escapes_headers`). A 1.1 client never
/// meets `\r`: it cannot put a CR into a header (see `unescape_header`), and the server's
/// own headers hold none.
std::string escape_header(std::string_view text);

/// The reverse of `escape_header`. Any other escape (`\t`, or `\r` in STOMP 1.1), or a
/// backslash at the end, is a fatal protocol error: Errc::bad_request naming the sequence.
Result<std::string> unescape_header(std::string_view text, Escapes escapes = Escapes::stomp_1_2);

}  // namespace modu::stomp

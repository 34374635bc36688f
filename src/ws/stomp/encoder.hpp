#pragma once

#include "ws/stomp/frame.hpp"

#include <string>
#include <string_view>

namespace modu::stomp {

/// What a heart-beat is on the wire: one EOL, sent when there is no frame to send.
inline constexpr std::string_view kHeartBeat = "\n";

/// The wire form of a frame: command, headers in order, blank line, body, NUL; LF line ends.
///
/// Headers are escaped, except in CONNECT and CONNECTED frames, whose headers must therefore
/// hold no CR or LF, nor a colon in a name (std::invalid_argument otherwise: a bug, not input).
/// The encoder owns `content-length`: one given in `frame.headers` is dropped, and a frame with
/// a body gets `content-length` with the body's size, so the body may hold NUL octets.
/// Only SEND, MESSAGE and ERROR frames may carry a body; the encoder trusts the caller on that.
///
/// Fan-out does not encode per subscriber: the `subscription` header differs per subscription
/// id, so the caller encodes one MESSAGE per subscription id and shares those bytes with every
/// connection subscribed under that id.
std::string encode(const Frame& frame);

}  // namespace modu::stomp

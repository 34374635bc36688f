#pragma once

#include "core/errors.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace modu::stomp {

/// One side's `heart-beat` header, `<can send>,<would like to receive>` in milliseconds;
/// 0 means never.
struct HeartBeatOffer {
  std::chrono::milliseconds can_send{0};
  std::chrono::milliseconds wants{0};
};

/// What the server does once both offers are known; 0 means no heart-beats that way.
struct HeartBeatPlan {
  std::chrono::milliseconds send_every{0};    ///< the server sends an EOL this often when idle
  std::chrono::milliseconds expect_every{0};  ///< the client sends this often; silence past it is a dead peer
};

/// Reads a CONNECT frame's `heart-beat` header: two whole numbers joined by a comma, nothing
/// else (STOMP forbids padding). An absent header means 0,0. Errc::bad_request if malformed.
Result<HeartBeatOffer> parse_heart_beat(std::optional<std::string_view> header);

/// The header value for the server's own offer in CONNECTED: "10000,10000".
std::string format_heart_beat(HeartBeatOffer offer);

/// STOMP's rule, per direction: none if the sender cannot send or the receiver does not want
/// any, else the larger of the two numbers.
HeartBeatPlan negotiate_heart_beat(HeartBeatOffer client, HeartBeatOffer server);

}  // namespace modu::stomp

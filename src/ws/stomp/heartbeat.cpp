#include "ws/stomp/heartbeat.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace modu::stomp {
namespace {

std::optional<std::chrono::milliseconds> parse_milliseconds(std::string_view text) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return std::chrono::milliseconds(value);
}

std::chrono::milliseconds every(std::chrono::milliseconds sender_can, std::chrono::milliseconds receiver_wants) {
  if (sender_can.count() == 0 || receiver_wants.count() == 0) return std::chrono::milliseconds(0);
  return std::max(sender_can, receiver_wants);
}

}  // namespace

Result<HeartBeatOffer> parse_heart_beat(std::optional<std::string_view> header) {
  if (!header) return HeartBeatOffer{};
  const auto comma = header->find(',');
  if (comma != std::string_view::npos) {
    auto can_send = parse_milliseconds(header->substr(0, comma));
    auto wants = parse_milliseconds(header->substr(comma + 1));
    if (can_send && wants) return HeartBeatOffer{*can_send, *wants};
  }
  return Error::bad_request("header 'heart-beat' must be two whole numbers of milliseconds joined by a comma");
}

std::string format_heart_beat(HeartBeatOffer offer) {
  return fmt::format("{},{}", offer.can_send.count(), offer.wants.count());
}

HeartBeatPlan negotiate_heart_beat(HeartBeatOffer client, HeartBeatOffer server) {
  return {every(server.can_send, client.wants), every(client.can_send, server.wants)};
}

}  // namespace modu::stomp

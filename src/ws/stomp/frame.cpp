#include "ws/stomp/frame.hpp"

#include <array>

namespace modu::stomp {
namespace {

constexpr std::array<std::string_view, 15> kNames{
    "CONNECT", "STOMP", "SEND",       "SUBSCRIBE", "UNSUBSCRIBE", "ACK",     "NACK",  "BEGIN",
    "COMMIT",  "ABORT", "DISCONNECT", "CONNECTED", "MESSAGE",     "RECEIPT", "ERROR",
};
static_assert(kNames.size() == static_cast<std::size_t>(Command::error) + 1, "every Command needs a name");

}  // namespace

std::string_view command_name(Command command) { return kNames[static_cast<std::size_t>(command)]; }

std::optional<Command> command_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Command>(i);
  }
  return std::nullopt;
}

bool escapes_headers(Command command) { return command != Command::connect && command != Command::connected; }

bool may_have_body(Command command) {
  return command == Command::send || command == Command::message || command == Command::error;
}

std::optional<std::string_view> Frame::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace modu::stomp

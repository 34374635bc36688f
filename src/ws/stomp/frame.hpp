#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modu::stomp {

/// Every STOMP 1.2 command: the client's, then the server's.
enum class Command {
  connect,
  stomp,
  send,
  subscribe,
  unsubscribe,
  ack,
  nack,
  begin,
  commit,
  abort,
  disconnect,
  connected,
  message,
  receipt,
  error,
};

/// The command as written on the wire: "SEND".
std::string_view command_name(Command command);

/// The command a wire name stands for (case-sensitive), or nullopt for an unknown one.
std::optional<Command> command_from_name(std::string_view name);

/// Whether the frame's header names and values are escaped (`\r` `\n` `\c` `\\`). True for
/// every frame but CONNECT and CONNECTED, which stay unescaped for STOMP 1.0 compatibility.
bool escapes_headers(Command command);

/// Whether a frame may carry a body: only SEND, MESSAGE and ERROR may (STOMP 1.2).
bool may_have_body(Command command);

/// One decoded frame. Headers are kept in wire order, repeats included, already unescaped.
struct Frame {
  Command command;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The value of the first header with this name: STOMP says a repeated header's first
  /// entry is the one that counts.
  std::optional<std::string_view> header(std::string_view name) const;
};

}  // namespace modu::stomp

#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace modu::bench {

/// One STOMP frame as it lies in a received buffer: views, no copies. Valid until the
/// scanner is fed again.
struct FrameView {
  std::string_view command;  ///< "MESSAGE", "RECEIPT", ...
  std::string_view head;     ///< the header lines, each ending in LF (or CRLF)
  std::string_view body;

  /// The first header with this name, as it stands on the wire (not unescaped: the
  /// bench reads only headers whose values it chose itself, or shows them to a person).
  std::optional<std::string_view> header(std::string_view name) const;

  /// Two headers in one pass over the head; an absent one is empty.
  std::pair<std::string_view, std::string_view> headers(std::string_view first, std::string_view second) const;
};

/// A STOMP stream the peer broke (a frame with no command, a bad content-length): the
/// connection cannot be read on.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Splits received bytes into frames without copying them, skipping heart-beats.
///
/// The server's `modu::stomp::Parser` builds a `Frame` with its own strings for every
/// frame; at half a million deliveries a second on the two cores the server also needs,
/// those allocations would make the bench the bottleneck. This reads what the bench needs
/// from views into the WebSocket message instead. Only a frame cut across two messages
/// (which neither Modu nor RabbitMQ sends, but STOMP allows) is copied.
/// @par Thread safety
/// None; one per connection.
class FrameScanner {
 public:
  /// Takes the next received piece; frames from an earlier piece must be handled first.
  void feed(std::string_view bytes);

  /// The next whole frame, or nullopt when the bytes fed so far hold none. Throws
  /// ProtocolError for a stream that is not STOMP.
  std::optional<FrameView> next();

 private:
  std::string_view data_;  ///< what is left to scan: the fed piece, or carry_
  std::string carry_;      ///< a frame cut at the end of a piece, with what followed it
};

}  // namespace modu::bench

#pragma once

#include "core/errors.hpp"
#include "ws/stomp/escaping.hpp"
#include "ws/stomp/frame.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace modu::stomp {

/// What the parser accepts before it gives up on a connection. Fed from settings; there are
/// no defaults here so that one place (the configuration) owns the numbers.
struct Limits {
  std::size_t max_frame_size;          ///< octets from the command's first to the terminating NUL
  std::size_t max_body_size;           ///< octets of the body, without the NUL
  std::size_t max_header_count;        ///< header entries in one frame, repeats included
  std::size_t max_header_line_length;  ///< octets of one header line, without its EOL
};

/// An EOL between frames: a heart-beat. It proves the peer alive and carries nothing else.
struct HeartBeat {};

/// What the byte stream holds next: a frame or a heart-beat.
using Event = std::variant<Frame, HeartBeat>;

/// Splits a STOMP byte stream into frames and heart-beats, however the stream is cut into
/// pieces: a frame may span several `feed` calls and one call may hold several frames.
///
/// Feed each received piece, then call `next()` until it returns nullopt (more bytes needed):
/// @code
///   parser.feed(message);
///   for (;;) {
///     auto event = parser.next();
///     if (!event) { /* ERROR frame with event.error().message, then close */ break; }
///     if (!*event) break;
///     /* handle **event */
///   }
/// @endcode
/// Events come in stream order, so frames before a malformed one are still handed out before
/// the error. After an error the parser is done: it ignores input and repeats the error.
///
/// Each byte is scanned once: a large body arriving in many pieces costs linear time.
/// @par Thread safety
/// None; one parser belongs to one connection.
class Parser {
 public:
  explicit Parser(Limits limits, Escapes escapes = Escapes::stomp_1_2);

  /// The escapes the frames after the current one use: what CONNECT agreed.
  void use(Escapes escapes) { escapes_ = escapes; }

  /// Appends received bytes. Cheap; the work happens in `next()`.
  void feed(std::string_view bytes);

  /// The next complete frame or heart-beat; nullopt when the buffered bytes hold no complete
  /// one yet; an error (Errc::bad_request for a malformed frame, payload_too_large or
  /// headers_too_large for a limit) when the stream is broken.
  Result<std::optional<Event>> next();

  /// Gives the buffer's memory back when every byte fed has been handed out: an idle
  /// connection then keeps none. Call when `next()` has nothing more.
  void release_if_idle();

  /// True when every byte fed has been handed out and no frame is begun: nothing is kept.
  /// (Between a frame's lines every byte fed may be consumed while the frame is not done.)
  bool idle() const { return state_ == State::between_frames && begin_ == buffer_.size() && !error_; }

  /// True once `next()` has returned an error.
  bool failed() const { return error_.has_value(); }

  /// The `receipt` header of the frame that broke the stream, when it was read before the
  /// error: the ERROR names it (`receipt-id`), so the client knows which frame failed.
  const std::optional<std::string>& failed_receipt() const { return failed_receipt_; }

 private:
  enum class State { between_frames, command, headers, body };

  Result<std::optional<Event>> fail(Error error);
  std::optional<Error> on_command_line(std::string_view line);
  std::optional<Error> on_header_line(std::string_view line);
  std::optional<Error> on_end_of_headers();
  std::optional<Error> check_frame_size(std::size_t at_least) const;
  std::optional<Error> check_body_allowed(std::size_t body_size) const;
  std::optional<Event> finish_frame(std::size_t body_size, std::size_t next_begin);

  Limits limits_;
  Escapes escapes_;
  std::string buffer_;
  std::size_t begin_ = 0;    ///< buffer_ before this is consumed; in the body state, the body's start
  std::size_t scanned_ = 0;  ///< buffer_ before this has been searched for the current delimiter
  State state_ = State::between_frames;
  Frame frame_{};                              ///< the frame being parsed
  std::size_t head_size_ = 0;                  ///< octets of its command and header lines so far
  std::optional<std::size_t> content_length_;  ///< its content-length, when given
  std::optional<Error> error_;
  std::optional<std::string> failed_receipt_;
};

}  // namespace modu::stomp

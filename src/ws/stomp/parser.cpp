#include "ws/stomp/parser.hpp"

#include "core/text.hpp"
#include "ws/stomp/escaping.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace modu::stomp {
namespace {

/// "UNSUBSCRIBE": a longer command line cannot be a command, so it fails without waiting for its end.
constexpr std::size_t kLongestCommand = 11;

/// Past this, an emptied buffer gives its memory back, so an idle connection does not keep
/// the room a large frame once needed.
constexpr std::size_t kKeptCapacity = 64 * 1024;

/// The line without the CR of a CRLF ending.
std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

/// Text from the wire, made safe and short for an error message.
std::string shown(std::string_view text) {
  constexpr std::size_t kShown = 32;
  std::string out;
  for (char c : text.substr(0, kShown)) {
    const auto octet = static_cast<unsigned char>(c);
    out += octet >= 0x20 && octet < 0x7F ? c : '?';
  }
  if (text.size() > kShown) out += "...";
  return out;
}

Error malformed(std::string message) { return Error::bad_request(std::move(message)); }

}  // namespace

Parser::Parser(Limits limits, Escapes escapes) : limits_(limits), escapes_(escapes) {}

void Parser::release_if_idle() {
  if (begin_ != buffer_.size()) return;
  std::string().swap(buffer_);
  scanned_ = begin_ = 0;
}

void Parser::feed(std::string_view bytes) {
  if (error_ || bytes.empty()) return;
  if (begin_ == buffer_.size()) {
    if (buffer_.capacity() > kKeptCapacity) std::string().swap(buffer_);
    buffer_.clear();
    scanned_ = begin_ = 0;
  } else if (begin_ > 0 && begin_ >= buffer_.size() / 2) {
    // Moves at most as many bytes as it drops, so compaction stays linear overall.
    buffer_.erase(0, begin_);
    scanned_ -= begin_;
    begin_ = 0;
  }
  buffer_.append(bytes);
}

Result<std::optional<Event>> Parser::fail(Error error) {
  error_ = error;
  if (state_ != State::between_frames && state_ != State::command) {
    if (auto receipt = frame_.header("receipt")) failed_receipt_ = std::string(*receipt);
  }
  std::string().swap(buffer_);
  begin_ = scanned_ = 0;
  return error;
}

Result<std::optional<Event>> Parser::next() {
  if (error_) return *error_;
  const std::string_view data = buffer_;
  for (;;) {
    switch (state_) {
      case State::between_frames: {
        if (begin_ == data.size()) return std::optional<Event>();
        if (data[begin_] == '\n') {
          begin_ = scanned_ = begin_ + 1;
          return std::optional<Event>(HeartBeat{});
        }
        if (data[begin_] == '\r') {
          if (begin_ + 1 == data.size()) return std::optional<Event>();  // a CRLF cut in two
          if (data[begin_ + 1] == '\n') {
            begin_ = scanned_ = begin_ + 2;
            return std::optional<Event>(HeartBeat{});
          }
        }
        state_ = State::command;
        break;
      }

      case State::command:
      case State::headers: {
        const void* found = std::memchr(data.data() + scanned_, '\n', data.size() - scanned_);
        const std::size_t end = found ? static_cast<const char*>(found) - data.data() : data.size();
        // STOMP's grammar would take a NUL inside a header, but a NUL is what ends a frame:
        // one before the blank line after the headers is a frame cut short, or a stray
        // NUL, refused here rather than read into the next frame.
        if (const void* nul = std::memchr(data.data() + scanned_, '\0', end - scanned_)) {
          const auto before_nul = static_cast<const char*>(nul) - data.data() - begin_;
          if (state_ == State::command && without_cr(data.substr(begin_, before_nul)).empty()) {
            return fail(malformed("a NUL where a frame should begin: an empty frame, or one NUL too many"));
          }
          return fail(
              malformed("a NUL before the blank line that ends the headers (a frame is its command, "
                        "its headers, a blank line, its body and a NUL)"));
        }
        const std::string_view line = without_cr(data.substr(begin_, end - begin_));
        // Checked before the line is complete, so an endless line fails early.
        if (state_ == State::command && line.size() > kLongestCommand) {
          return fail(malformed(fmt::format("unknown command '{}'", shown(line))));
        }
        if (line.size() > limits_.max_header_line_length) {
          return fail(Error{Errc::headers_too_large,
                            fmt::format("a header line is longer than the max header line length ({} octets)",
                                        limits_.max_header_line_length)});
        }
        if (auto error = check_frame_size(head_size_ + (end - begin_))) return fail(std::move(*error));
        if (!found) {
          scanned_ = data.size();
          return std::optional<Event>();
        }
        head_size_ += end + 1 - begin_;
        begin_ = scanned_ = end + 1;
        std::optional<Error> error;
        if (state_ == State::command) {
          error = on_command_line(line);
        } else if (line.empty()) {
          error = on_end_of_headers();
        } else {
          error = on_header_line(line);
        }
        if (error) return fail(std::move(*error));
        break;
      }

      case State::body: {
        if (content_length_) {
          if (data.size() - begin_ < *content_length_ + 1) return std::optional<Event>();  // scans nothing
          if (data[begin_ + *content_length_] != '\0') {
            return fail(malformed(
                fmt::format("the {}-octet body given by content-length is not followed by a NUL", *content_length_)));
          }
          return finish_frame(*content_length_, begin_ + *content_length_ + 1);
        }
        const void* found = std::memchr(data.data() + scanned_, '\0', data.size() - scanned_);
        const std::size_t end = found ? static_cast<const char*>(found) - data.data() : data.size();
        if (end - begin_ > limits_.max_body_size) {
          return fail(
              Error{Errc::payload_too_large,
                    fmt::format("the body is larger than the max body size ({} octets)", limits_.max_body_size)});
        }
        if (auto error = check_frame_size(head_size_ + (end - begin_) + 1)) return fail(std::move(*error));
        if (!found) {
          scanned_ = data.size();
          return std::optional<Event>();
        }
        if (auto error = check_body_allowed(end - begin_)) return fail(std::move(*error));
        return finish_frame(end - begin_, end + 1);
      }
    }
  }
}

std::optional<Error> Parser::on_command_line(std::string_view line) {
  auto command = command_from_name(line);
  if (!command) return malformed(fmt::format("unknown command '{}'", shown(line)));
  frame_.command = *command;
  state_ = State::headers;
  return std::nullopt;
}

std::optional<Error> Parser::on_header_line(std::string_view line) {
  if (frame_.headers.size() == limits_.max_header_count) {
    return Error{Errc::headers_too_large,
                 fmt::format("the frame has more headers than the max header count ({})", limits_.max_header_count)};
  }
  // STOMP headers are UTF-8: other bytes could not even be echoed back in a text message.
  if (!is_valid_utf8(line)) return malformed(fmt::format("header line '{}' is not UTF-8", shown(line)));
  // STOMP 1.2 escapes a CR as `\r`. 1.1 has no such escape; its grammar would take a raw
  // CR inside a value, but one at the end is an EOL, so it could not be sent back either.
  if (line.find('\r') != std::string_view::npos) {
    return malformed(fmt::format("header line '{}' holds a CR{}", shown(line),
                                 escapes_ == Escapes::stomp_1_2 ? " (write it as \\r)" : ""));
  }
  // The first colon ends the name. A later raw colon is kept in the value: CONNECT does not
  // escape, and being lenient there costs nothing.
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return malformed(fmt::format("header line '{}' has no colon", shown(line)));
  if (colon == 0) return malformed(fmt::format("header line '{}' has an empty name", shown(line)));
  const auto name = line.substr(0, colon);
  const auto value = line.substr(colon + 1);
  if (!escapes_headers(frame_.command)) {
    frame_.headers.emplace_back(name, value);
    return std::nullopt;
  }
  auto plain_name = unescape_header(name, escapes_);
  if (!plain_name) return std::move(plain_name).error();
  auto plain_value = unescape_header(value, escapes_);
  if (!plain_value) return std::move(plain_value).error();
  frame_.headers.emplace_back(std::move(*plain_name), std::move(*plain_value));
  return std::nullopt;
}

std::optional<Error> Parser::on_end_of_headers() {
  state_ = State::body;
  content_length_.reset();
  const auto text = frame_.header("content-length");
  if (!text) return std::nullopt;
  std::size_t length = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), length);
  if (text->empty() || ec == std::errc::invalid_argument || end != text->data() + text->size()) {
    return malformed(fmt::format("content-length '{}' is not a number of octets", shown(*text)));
  }
  if (ec == std::errc::result_out_of_range || length > limits_.max_body_size) {
    return Error{Errc::payload_too_large, fmt::format("content-length {} is larger than the max body size ({} octets)",
                                                      shown(*text), limits_.max_body_size)};
  }
  if (auto error = check_frame_size(head_size_ + length + 1)) return error;
  if (auto error = check_body_allowed(length)) return error;  // without waiting for the body
  content_length_ = length;
  return std::nullopt;
}

std::optional<Error> Parser::check_body_allowed(std::size_t body_size) const {
  if (body_size == 0 || may_have_body(frame_.command)) return std::nullopt;
  // Most often a frame whose NUL went missing, with the next frame read as its body.
  return malformed(
      fmt::format("a {} frame has no body (only SEND does); is a NUL missing?", command_name(frame_.command)));
}

std::optional<Error> Parser::check_frame_size(std::size_t at_least) const {
  if (at_least <= limits_.max_frame_size) return std::nullopt;
  return Error{Errc::payload_too_large,
               fmt::format("the frame is larger than the max frame size ({} octets)", limits_.max_frame_size)};
}

std::optional<Event> Parser::finish_frame(std::size_t body_size, std::size_t next_begin) {
  frame_.body.assign(buffer_, begin_, body_size);
  Event event(std::move(frame_));
  frame_ = Frame{};
  head_size_ = 0;
  content_length_.reset();
  state_ = State::between_frames;
  begin_ = scanned_ = next_begin;
  return event;
}

}  // namespace modu::stomp

#include "frame_scanner.hpp"

#include <charconv>

namespace modu::bench {
namespace {

constexpr std::string_view kContentLength = "content-length:";

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::optional<std::string_view> FrameView::header(std::string_view name) const {
  std::string_view rest = head;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const auto line = without_cr(rest.substr(0, end));
    if (line.size() > name.size() && line[name.size()] == ':' && line.starts_with(name)) {
      return line.substr(name.size() + 1);
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::pair<std::string_view, std::string_view> FrameView::headers(std::string_view first,
                                                                 std::string_view second) const {
  std::optional<std::string_view> a, b;
  std::string_view rest = head;
  while (!rest.empty() && !(a && b)) {
    const auto end = rest.find('\n');
    const auto line = without_cr(rest.substr(0, end));
    for (auto [name, value] : {std::pair{first, &a}, std::pair{second, &b}}) {
      if (!*value && line.size() > name.size() && line[name.size()] == ':' && line.starts_with(name)) {
        *value = line.substr(name.size() + 1);
      }
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return {a.value_or(std::string_view()), b.value_or(std::string_view())};
}

void FrameScanner::feed(std::string_view bytes) {
  if (data_.empty()) {
    data_ = bytes;
    return;
  }
  carry_.append(bytes);  // data_ is all of carry_ (next() put it there)
  data_ = carry_;
}

std::optional<FrameView> FrameScanner::next() {
  // Heart-beats: EOLs between frames.
  std::size_t pos = 0;
  while (pos < data_.size() &&
         (data_[pos] == '\n' || (data_[pos] == '\r' && pos + 1 < data_.size() && data_[pos + 1] == '\n'))) {
    pos += data_[pos] == '\n' ? 1 : 2;
  }
  data_.remove_prefix(pos);

  const auto incomplete = [this]() -> std::optional<FrameView> {
    // Keep what is left: the buffer it lies in is reused by the next read.
    if (data_.empty()) {
      carry_.clear();
    } else if (data_.data() >= carry_.data() && data_.data() < carry_.data() + carry_.size()) {
      carry_.erase(0, static_cast<std::size_t>(data_.data() - carry_.data()));
      data_ = carry_;
    } else {
      carry_.assign(data_);
      data_ = carry_;
    }
    return std::nullopt;
  };

  const auto command_end = data_.find('\n');
  if (command_end == std::string_view::npos) return incomplete();
  FrameView frame;
  frame.command = without_cr(data_.substr(0, command_end));

  std::optional<std::size_t> content_length;
  std::size_t line_begin = command_end + 1;
  for (;;) {
    const auto line_end = data_.find('\n', line_begin);
    if (line_end == std::string_view::npos) return incomplete();
    const auto line = without_cr(data_.substr(line_begin, line_end - line_begin));
    if (line.empty()) {
      frame.head = data_.substr(command_end + 1, line_begin - command_end - 1);
      line_begin = line_end + 1;
      break;
    }
    if (!content_length && line.starts_with(kContentLength)) {
      std::size_t length = 0;
      const auto digits = line.substr(kContentLength.size());
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
      if (ec != std::errc() || end != digits.data() + digits.size()) {
        throw ProtocolError("bad content-length header: " + std::string(line));
      }
      content_length = length;
    }
    line_begin = line_end + 1;
  }

  std::size_t body_end = 0;
  if (content_length) {
    if (data_.size() < line_begin + *content_length + 1) return incomplete();
    body_end = line_begin + *content_length;
    if (data_[body_end] != '\0') throw ProtocolError("a frame's body is longer than its content-length");
  } else {
    body_end = data_.find('\0', line_begin);
    if (body_end == std::string_view::npos) return incomplete();
  }
  frame.body = data_.substr(line_begin, body_end - line_begin);
  if (frame.command.empty()) throw ProtocolError("a frame without a command");
  data_.remove_prefix(body_end + 1);
  return frame;
}

}  // namespace modu::bench

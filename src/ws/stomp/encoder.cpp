#include "ws/stomp/encoder.hpp"

#include "ws/stomp/escaping.hpp"

#include <stdexcept>

namespace modu::stomp {
namespace {

constexpr std::string_view kContentLength = "content-length";

void check_unescaped(const Frame& frame, std::string_view name, std::string_view value) {
  if (name.find_first_of("\r\n:") != std::string_view::npos || value.find_first_of("\r\n") != std::string_view::npos) {
    throw std::invalid_argument(std::string(command_name(frame.command)) + " header '" + std::string(name) +
                                "' holds a character its frame cannot carry unescaped");
  }
}

}  // namespace

std::string encode(const Frame& frame) {
  const bool escaped = escapes_headers(frame.command);
  const std::string length = std::to_string(frame.body.size());

  std::size_t size = command_name(frame.command).size() + 1;
  for (const auto& [name, value] : frame.headers) size += name.size() + value.size() + 2;
  size += kContentLength.size() + length.size() + 2 + 1 + frame.body.size() + 1;

  std::string out;
  out.reserve(size);  // enough unless escaping lengthens a header
  out += command_name(frame.command);
  out += '\n';
  for (const auto& [name, value] : frame.headers) {
    if (name == kContentLength) continue;
    if (escaped) {
      out += escape_header(name);
      out += ':';
      out += escape_header(value);
    } else {
      check_unescaped(frame, name, value);
      out += name;
      out += ':';
      out += value;
    }
    out += '\n';
  }
  if (!frame.body.empty()) {
    out += kContentLength;
    out += ':';
    out += length;
    out += '\n';
  }
  out += '\n';
  out += frame.body;
  out += '\0';
  return out;
}

}  // namespace modu::stomp

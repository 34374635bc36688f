#include "ws/stomp/escaping.hpp"

#include <fmt/format.h>

namespace modu::stomp {
namespace {

/// A byte as it can be shown in an error message: itself when printable ASCII, else `\xNN`.
std::string shown(char byte) {
  const auto octet = static_cast<unsigned char>(byte);
  if (octet >= 0x21 && octet < 0x7F) return std::string(1, byte);
  return fmt::format("\\x{:02X}", octet);
}

}  // namespace

std::string escape_header(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\r':
        escaped += "\\r";
        break;
      case '\n':
        escaped += "\\n";
        break;
      case ':':
        escaped += "\\c";
        break;
      case '\\':
        escaped += "\\\\";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

Result<std::string> unescape_header(std::string_view text, Escapes escapes) {
  auto backslash = text.find('\\');
  if (backslash == std::string_view::npos) return std::string(text);  // the common case
  std::string plain(text.substr(0, backslash));
  plain.reserve(text.size());
  for (std::size_t i = backslash; i < text.size(); ++i) {
    if (text[i] != '\\') {
      plain += text[i];
      continue;
    }
    if (++i == text.size()) return Error::bad_request("a header ends in an incomplete escape sequence '\\'");
    switch (text[i]) {
      case 'r':
        if (escapes == Escapes::stomp_1_1) return Error::bad_request("STOMP 1.1 has no escape sequence '\\r'");
        plain += '\r';
        break;
      case 'n':
        plain += '\n';
        break;
      case 'c':
        plain += ':';
        break;
      case '\\':
        plain += '\\';
        break;
      default:
        return Error::bad_request(fmt::format("a header holds the undefined escape sequence '\\{}'", shown(text[i])));
    }
  }
  return plain;
}

}  // namespace modu::stomp

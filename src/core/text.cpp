#include "core/text.hpp"

namespace modu {

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length;
    char32_t code_point;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    constexpr char32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kShortest[length] || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

std::size_t code_points(std::string_view utf8) {
  std::size_t count = 0;
  for (unsigned char byte : utf8) {
    if ((byte & 0xC0) != 0x80) ++count;  // every byte but continuation bytes starts a code point
  }
  return count;
}

bool has_control_characters(std::string_view utf8) {
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    if (byte < 0x20 || byte == 0x7F) return true;
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    if (byte == 0xC2 && i + 1 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) <= 0x9F) return true;
  }
  return false;
}

std::string trim(std::string_view text) {
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  auto is_space_at_front = [&] {
    if (text.empty()) return std::size_t{0};
    if (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' || text.front() == '\r')
      return std::size_t{1};
    return text.starts_with(kIdeographicSpace) ? kIdeographicSpace.size() : 0;
  };
  auto is_space_at_back = [&] {
    if (text.empty()) return std::size_t{0};
    if (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r') return std::size_t{1};
    return text.ends_with(kIdeographicSpace) ? kIdeographicSpace.size() : 0;
  };
  while (auto n = is_space_at_front()) text.remove_prefix(n);
  while (auto n = is_space_at_back()) text.remove_suffix(n);
  return std::string(text);
}

}  // namespace modu

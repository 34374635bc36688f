#include "core/text.hpp"

#include <array>

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

bool list_contains(std::string_view list, std::string_view item) {
  for (;;) {
    const auto comma = list.find(',');
    auto entry = list.substr(0, comma);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry == item) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

std::string trim(std::string_view text) {
  // What shows as nothing: ASCII white space, and the Unicode spaces and invisible
  // characters people type or paste to send a "blank" name or message (the Hangul fillers
  // are the well-known way to do it on Korean keyboards).
  // clang-format off: the table reads better in rows
  static constexpr std::array<std::string_view, 21> kBlank{
      " ", "\t", "\n", "\r",
      "\xC2\xA0",  // U+00A0 no-break space
      // U+2000 to U+200A, the typographic spaces
      "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86",
      "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89", "\xE2\x80\x8A",
      "\xE2\x80\x8B",  // U+200B zero-width space
      "\xE3\x80\x80",  // U+3000 ideographic space
      "\xE3\x85\xA4",  // U+3164 Hangul filler
      "\xEF\xBE\xA0",  // U+FFA0 halfwidth Hangul filler
      "\xEF\xBB\xBF",  // U+FEFF zero-width no-break space (a byte order mark)
  };
  // clang-format on
  auto blank_at_front = [&] {
    for (auto blank : kBlank) {
      if (text.starts_with(blank)) return blank.size();
    }
    return std::size_t{0};
  };
  auto blank_at_back = [&] {
    for (auto blank : kBlank) {
      if (text.ends_with(blank)) return blank.size();
    }
    return std::size_t{0};
  };
  while (auto n = blank_at_front()) text.remove_prefix(n);
  while (auto n = blank_at_back()) text.remove_suffix(n);
  return std::string(text);
}

}  // namespace modu

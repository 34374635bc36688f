#include "core/text.hpp"

namespace modu {

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
    if (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' || text.front() == '\r') return std::size_t{1};
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

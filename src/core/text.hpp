#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace modu {

/// Well-formed UTF-8: no stray continuation bytes, overlong forms, surrogates or
/// values past U+10FFFF.
bool is_valid_utf8(std::string_view text);

/// Counts Unicode code points in UTF-8 text (what a person counts as characters,
/// near enough), not bytes. The text must be valid UTF-8: JSON input always is.
std::size_t code_points(std::string_view utf8);

/// True when the text holds a control character (C0, DEL or C1), which names and
/// short texts must not.
bool has_control_characters(std::string_view utf8);

/// Without leading and trailing blanks: ASCII white space, Unicode spaces (no-break,
/// U+2000..U+200A, ideographic), and invisible characters (zero-width space, byte order
/// mark, the Hangul fillers).
std::string trim(std::string_view text);

/// Whether a comma-separated list, as headers write them ("v11.stomp, v12.stomp"), holds
/// `item`; spaces around the items do not count.
bool list_contains(std::string_view list, std::string_view item);

/// Hashes a std::string and a string_view of it alike: with `std::equal_to<>`, a map
/// keyed by std::string is searched with a view, without building a string.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

}  // namespace modu

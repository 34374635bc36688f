#pragma once

#include <string_view>

namespace modu::http {

/// Whether an `If-None-Match` value names `etag` (a strong tag, quotes included), so that
/// a GET answers 304. The value is `*` or a list of entity tags, and the comparison is the
/// weak one (RFC 9110, 13.1.2): `W/"x"` matches `"x"`; caches revalidate with either form,
/// and a list when they hold several versions. A tag may hold a comma, so the list is read
/// tag by tag rather than split; a malformed one matches nothing.
inline bool none_match_names(std::string_view if_none_match, std::string_view etag) {
  const auto skip_separators = [&] {
    while (!if_none_match.empty() &&
           (if_none_match.front() == ' ' || if_none_match.front() == '\t' || if_none_match.front() == ',')) {
      if_none_match.remove_prefix(1);
    }
  };
  skip_separators();
  if (if_none_match.substr(0, if_none_match.find_last_not_of(" \t") + 1) == "*") return true;
  while (!if_none_match.empty()) {
    if (if_none_match.starts_with("W/")) if_none_match.remove_prefix(2);
    if (!if_none_match.starts_with('"')) return false;
    const auto close = if_none_match.find('"', 1);
    if (close == std::string_view::npos) return false;
    if (if_none_match.substr(0, close + 1) == etag) return true;
    if_none_match.remove_prefix(close + 1);
    skip_separators();
  }
  return false;
}

}  // namespace modu::http

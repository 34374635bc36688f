#pragma once

#include "core/ids.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace modu::storage {

/// A 1:1 room's key in `rooms.direct_key`: "<smaller id>:<larger id>", unique, so a pair
/// has one room however many times, and at once, it is opened.
inline std::string direct_key(MemberId a, MemberId b) {
  return fmt::format("{}:{}", std::min(a, b).value(), std::max(a, b).value());
}

/// The two members a direct key names; none for text that is not one.
inline std::optional<std::pair<MemberId, MemberId>> direct_pair(std::string_view key) {
  const auto colon = key.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::int64_t first = 0, second = 0;
  const auto* end = key.data() + key.size();
  if (std::from_chars(key.data(), key.data() + colon, first).ptr != key.data() + colon) return std::nullopt;
  if (std::from_chars(key.data() + colon + 1, end, second).ptr != end) return std::nullopt;
  return std::pair{MemberId(first), MemberId(second)};
}

}  // namespace modu::storage

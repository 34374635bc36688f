#pragma once

#include "core/ids.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace modu::member {

using TimePoint = std::chrono::system_clock::time_point;

struct Member {
  MemberId id;
  std::string email;  ///< lower-case
  std::string nickname;
  std::string status_message;
  std::optional<std::string> profile_image;
  std::optional<std::string> background_image;
  TimePoint created_at;
  TimePoint updated_at;
};

/// One change of a profile or background image, kept as history.
struct ProfileChange {
  std::int64_t id = 0;
  MemberId member;
  enum class Kind { profile, background } kind;
  std::optional<std::string> image;  ///< empty: the image was removed
  TimePoint at;
};

/// A change to my profile: absent fields stay as they are; a present but empty image
/// removes it.
struct ProfilePatch {
  std::optional<std::string> nickname;
  std::optional<std::string> status_message;
  std::optional<std::optional<std::string>> profile_image;
  std::optional<std::optional<std::string>> background_image;
};

/// Where a nickname listing goes on from: after this (nickname, id).
struct NicknameCursor {
  std::string nickname;
  MemberId id;
};

}  // namespace modu::member

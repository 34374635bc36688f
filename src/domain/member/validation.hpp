#pragma once

#include "core/errors.hpp"

#include <string>
#include <string_view>

/// The rules for what members type in, shared by sign-up and profile changes.
namespace modu::member {

constexpr std::size_t kNicknameMax = 30;
constexpr std::size_t kPasswordMin = 8;
constexpr std::size_t kPasswordMax = 128;
constexpr std::size_t kEmailMax = 254;
constexpr std::size_t kImageReferenceMax = 1024;

/// Lower-cased and checked: one '@', a dotted domain, no spaces or controls.
Result<std::string> normalize_email(std::string_view email);
/// Trimmed, 1 to 30 characters, no control characters.
Result<std::string> normalize_nickname(std::string_view nickname);
/// 8 to 128 characters.
Result<void> check_password(std::string_view password);
/// Trimmed, at most `max_length` characters, no control characters but line breaks.
Result<std::string> normalize_status_message(std::string_view text, std::size_t max_length);
/// An image or file reference, at most 1024 characters: an http(s) URL, or a media path on
/// this server (`media/1`, `/api/v1/media/1`, either with `/thumbnail`). Clients put it
/// in `src` and `href`: no other scheme (`javascript:`, `data:`), no other path of this
/// server, no `..`, nothing outside URL syntax.
Result<std::string> check_image_reference(std::string_view reference, std::string_view field);

}  // namespace modu::member

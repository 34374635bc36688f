#include "domain/member/validation.hpp"

#include "core/text.hpp"

#include <fmt/format.h>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace modu::member {

Result<std::string> normalize_email(std::string_view email) {
  const auto at = email.find('@');
  const bool well_formed = !email.empty() && email.size() <= kEmailMax && at != std::string_view::npos && at > 0 &&
                           at <= 64 && email.find('@', at + 1) == std::string_view::npos &&
                           email.find('.', at + 2) != std::string_view::npos && email.back() != '.' &&
                           std::none_of(email.begin(), email.end(), [](char c) {
                             const auto byte = static_cast<unsigned char>(c);
                             return byte <= 0x20 || byte == 0x7F || c == ',' || c == '<' || c == '>';
                           });
  if (!well_formed) return Error::validation("field 'email' is not a valid email address");
  std::string lower(email);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

Result<std::string> normalize_nickname(std::string_view nickname) {
  auto trimmed = trim(nickname);
  const auto length = code_points(trimmed);
  if (length == 0 || length > kNicknameMax) {
    return Error::validation(fmt::format("field 'nickname' must be 1 to {} characters", kNicknameMax));
  }
  if (has_control_characters(trimmed)) return Error::validation("field 'nickname' cannot hold control characters");
  return trimmed;
}

Result<void> check_password(std::string_view password) {
  const auto length = code_points(password);
  if (length < kPasswordMin || length > kPasswordMax) {
    return Error::validation(fmt::format("field 'password' must be {} to {} characters", kPasswordMin, kPasswordMax));
  }
  return {};
}

Result<std::string> normalize_status_message(std::string_view text, std::size_t max_length) {
  auto trimmed = trim(text);
  if (code_points(trimmed) > max_length) {
    return Error::validation(fmt::format("field 'statusMessage' must be at most {} characters", max_length));
  }
  std::string without_breaks = trimmed;
  std::replace(without_breaks.begin(), without_breaks.end(), '\n', ' ');
  if (has_control_characters(without_breaks)) {
    return Error::validation("field 'statusMessage' cannot hold control characters");
  }
  return trimmed;
}

namespace {

/// `media/<id>` or `/api/v1/media/<id>`, optionally with `/thumbnail`: where the media
/// service keeps what it stores. An id is letters, digits, `-` and `_`.
bool is_media_path(const boost::urls::url_view& reference) {
  if (reference.has_query() || reference.has_fragment()) return false;
  const auto segments = reference.segments();
  std::vector<std::string> parts(segments.begin(), segments.end());
  std::size_t at = 0;
  if (reference.is_path_absolute()) {
    if (parts.size() < 3 || parts[0] != "api" || parts[1] != "v1") return false;
    at = 2;
  }
  const auto rest = parts.size() - at;
  if (rest < 2 || rest > 3 || parts[at] != "media") return false;
  const auto& id = parts[at + 1];
  const bool id_ok = !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  return id_ok && (rest == 2 || parts[at + 2] == "thumbnail");
}

}  // namespace

Result<std::string> check_image_reference(std::string_view reference, std::string_view field) {
  const auto refused = [&] {
    return Error::validation(
        fmt::format("field '{}' must be a media path on this server (media/1, /api/v1/media/1) or an http(s) URL, "
                    "in URL syntax (other characters percent-encoded) and at most {} characters",
                    field, kImageReferenceMax));
  };
  // URL syntax allows only ASCII, so the length in octets is the length in characters.
  if (reference.empty() || reference.size() > kImageReferenceMax) return refused();
  const auto parsed = boost::urls::parse_uri_reference(reference);
  if (!parsed) return refused();
  if (parsed->has_scheme()) {
    const auto scheme = parsed->scheme_id();
    if ((scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) || parsed->host().empty()) {
      return refused();
    }
    for (const auto segment : parsed->segments()) {
      if (segment == "..") return refused();
    }
  } else if (parsed->has_authority() || !is_media_path(*parsed)) {
    return refused();  // `//elsewhere/...` (another host, without saying how), or any other path here
  }
  return std::string(reference);
}

}  // namespace modu::member

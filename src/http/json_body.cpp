#include "http/json_body.hpp"

#include "core/text.hpp"

#include <fmt/format.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

namespace modu::http {
namespace {

bool is_json_media_type(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  auto media = content_type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media.size() != 16) return false;
  constexpr std::string_view kJson = "application/json";
  for (std::size_t i = 0; i < media.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != kJson[i]) return false;
  }
  return true;
}

Error wrong_type(std::string_view name, std::string_view expected) {
  return Error::validation(fmt::format("field '{}' must be {}", name, expected));
}

Error missing(std::string_view name) { return Error::validation(fmt::format("field '{}' is required", name)); }

}  // namespace

Result<boost::json::object> read_json_object(const Request& request) {
  if (auto type = request.header("Content-Type"); type && !is_json_media_type(*type)) {
    return Error{Errc::unsupported_media_type, fmt::format("expected Content-Type application/json, not '{}'", *type)};
  }
  return parse_json_object(request.body);
}

Result<boost::json::object> parse_json_object(std::string_view text) {
  // Not JSON at all, although Boost.JSON's message would call it an incomplete document.
  if (text.empty()) return Error{Errc::malformed_json, "the body is empty; send a JSON object"};
  boost::system::error_code ec;
  // One growing block holds the whole document: the object lives only as long as the
  // request, and is read, not grown.
  auto value = boost::json::parse(text, ec, boost::json::make_shared_resource<boost::json::monotonic_resource>());
  if (ec) {
    // Boost.JSON calls bad UTF-8 a syntax error; the sender should hear which it is.
    if (!is_valid_utf8(text)) return Error{Errc::malformed_json, "the body is not valid UTF-8, which JSON must be"};
    return Error{Errc::malformed_json, fmt::format("the body is not valid JSON: {}", ec.message())};
  }
  if (!value.is_object()) return Error::validation("the body must be a JSON object");
  return std::move(value.as_object());
}

Result<std::string> Fields::required_string(std::string_view name) const {
  auto value = optional_string(name);
  if (!value) return value.error();
  if (!*value) return missing(name);
  return std::move(**value);
}

Result<std::optional<std::string>> Fields::optional_string(std::string_view name) const {
  const auto* value = object_.if_contains(name);
  if (!value || value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) return wrong_type(name, "a string");
  return std::optional<std::string>(std::string(value->as_string()));
}

Result<std::int64_t> Fields::required_int(std::string_view name) const {
  auto value = optional_int(name);
  if (!value) return value.error();
  if (!*value) return missing(name);
  return **value;
}

Result<std::optional<std::int64_t>> Fields::optional_int(std::string_view name) const {
  const auto* value = object_.if_contains(name);
  if (!value || value->is_null()) return std::optional<std::int64_t>();
  if (value->is_int64()) return std::optional<std::int64_t>(value->as_int64());
  if (value->is_uint64() || value->is_double()) return wrong_type(name, "a whole number in range");
  return wrong_type(name, "a whole number");
}

Result<std::optional<std::optional<std::string>>> Fields::nullable_string(std::string_view name) const {
  using Nullable = std::optional<std::optional<std::string>>;
  const auto* value = object_.if_contains(name);
  if (!value) return Nullable();
  if (value->is_null()) return Nullable(std::optional<std::string>());
  if (!value->is_string()) return wrong_type(name, "a string or null");
  return Nullable(std::string(value->as_string()));
}

Result<std::optional<bool>> Fields::optional_bool(std::string_view name) const {
  const auto* value = object_.if_contains(name);
  if (!value || value->is_null()) return std::optional<bool>();
  if (!value->is_bool()) return wrong_type(name, "true or false");
  return std::optional<bool>(value->as_bool());
}

}  // namespace modu::http

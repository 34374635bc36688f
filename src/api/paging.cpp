#include "api/paging.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <utility>

namespace modu::api {
namespace {

/// The whole number `text` spells, or why not: `std::errc::result_out_of_range` for one
/// past what 64 bits hold (worth saying so, rather than "not a number").
std::pair<std::int64_t, std::errc> read_integer(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end != text.data() + text.size() || text.empty()) ec = std::errc::invalid_argument;  // not all of it
  return {value, ec};
}

/// A whole number of at least `minimum` named `what`, or VALIDATION_FAILED saying why not.
Result<std::int64_t> whole_number(std::string_view text, std::string_view what, std::int64_t minimum) {
  const auto [value, ec] = read_integer(text);
  if (ec == std::errc::result_out_of_range) return Error::validation(fmt::format("{} is out of range", what));
  if (ec != std::errc()) return Error::validation(fmt::format("{} must be a whole number", what));
  if (value < minimum) return Error::validation(fmt::format("{} must be at least {}", what, minimum));
  return value;
}

/// An id in the path: positive, as the OpenAPI document's parameters say.
Result<std::int64_t> path_id(const http::Request& request, std::string_view name) {
  return whole_number(request.param(name), fmt::format("path parameter '{}'", name), 1);
}

Error bad_cursor() { return Error::validation("parameter 'cursor' is not a cursor this server gave out"); }

}  // namespace

Result<std::size_t> page_size(const http::Request& request) {
  auto size = query_integer(request, "size", 1);
  if (!size) return size.error();
  if (!*size) return kDefaultPageSize;
  return std::min<std::size_t>(static_cast<std::size_t>(**size), kMaxPageSize);
}

Result<std::optional<std::int64_t>> query_integer(const http::Request& request, std::string_view name,
                                                  std::int64_t minimum) {
  auto text = request.query_param(name);
  if (!text) return std::optional<std::int64_t>();
  auto value = whole_number(*text, fmt::format("parameter '{}'", name), minimum);
  if (!value) return value.error();
  return std::optional<std::int64_t>(*value);
}

Result<MemberId> member_id_param(const http::Request& request, std::string_view name) {
  auto value = path_id(request, name);
  if (!value) return value.error();
  return MemberId(*value);
}

Result<RoomId> room_id_param(const http::Request& request, std::string_view name) {
  auto value = path_id(request, name);
  if (!value) return value.error();
  return RoomId(*value);
}

std::string encode_cursor(const boost::json::array& parts) {
  const auto json = boost::json::serialize(parts);
  std::string text(sodium_base64_ENCODED_LEN(json.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(json.data()), json.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.find('\0'));
  return text;
}

Result<boost::json::array> decode_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 2048) return bad_cursor();
  std::string json(cursor.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(json.data()), json.size(), cursor.data(), cursor.size(),
                        nullptr, &length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return bad_cursor();
  }
  json.resize(length);
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) return bad_cursor();
  return std::move(value.as_array());
}

Result<std::optional<member::NicknameCursor>> nickname_cursor(const http::Request& request) {
  auto text = request.query_param("cursor");
  if (!text) return std::optional<member::NicknameCursor>();
  auto parts = decode_cursor(*text);
  if (!parts) return parts.error();
  if (parts->size() != 2 || !(*parts)[0].is_string() || !(*parts)[1].is_int64()) return bad_cursor();
  return std::optional<member::NicknameCursor>(
      member::NicknameCursor{std::string((*parts)[0].as_string()), MemberId((*parts)[1].as_int64())});
}

std::string encode(const member::NicknameCursor& cursor) {
  return encode_cursor(boost::json::array{cursor.nickname, cursor.id.value()});
}

}  // namespace modu::api

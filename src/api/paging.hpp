#pragma once

#include "core/ids.hpp"
#include "domain/member/member.hpp"
#include "http/message.hpp"

#include <boost/json/array.hpp>

#include <optional>

/// Query parameters shared by listings: page size, opaque cursors, ids in the path.
namespace modu::api {

constexpr std::size_t kDefaultPageSize = 20;
constexpr std::size_t kMaxPageSize = 100;

/// `size`: 1 or more, capped at 100; absent means 20.
Result<std::size_t> page_size(const http::Request& request);

/// A whole-number query parameter of at least `minimum`; VALIDATION_FAILED when present
/// but not a whole number, or below `minimum`.
Result<std::optional<std::int64_t>> query_integer(const http::Request& request, std::string_view name,
                                                  std::int64_t minimum);

/// A positive id from the path; VALIDATION_FAILED for anything else, as for a query
/// parameter (an id that could be one but names nothing is the caller's NOT_FOUND).
Result<MemberId> member_id_param(const http::Request& request, std::string_view name);
Result<RoomId> room_id_param(const http::Request& request, std::string_view name);

/// Cursors are opaque to clients: base64url of a small JSON array.
std::string encode_cursor(const boost::json::array& parts);
/// VALIDATION_FAILED for a cursor this server did not make.
Result<boost::json::array> decode_cursor(std::string_view cursor);

/// The (nickname, id) cursor of nickname-ordered listings, from the `cursor` parameter.
Result<std::optional<member::NicknameCursor>> nickname_cursor(const http::Request& request);
std::string encode(const member::NicknameCursor& cursor);

}  // namespace modu::api

#include "api/views.hpp"

#include "core/time_format.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace modu::api {
namespace {

boost::json::value optional_text(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return boost::json::string(*text);
}

}  // namespace

boost::json::object member_json(const member::Member& member, bool with_email) {
  boost::json::object json{{"id", member.id.value()},
                           {"nickname", member.nickname},
                           {"statusMessage", member.status_message},
                           {"profileImage", optional_text(member.profile_image)},
                           {"backgroundImage", optional_text(member.background_image)},
                           {"createdAt", format_iso8601(member.created_at)}};
  if (with_email) json["email"] = member.email;
  return json;
}

boost::json::object profile_change_json(const member::ProfileChange& change) {
  return {{"id", change.id},
          {"kind", change.kind == member::ProfileChange::Kind::profile ? "profile" : "background"},
          {"image", optional_text(change.image)},
          {"changedAt", format_iso8601(change.at)}};
}

boost::json::object friend_json(const friends::Friend& relation) {
  return {{"memberId", relation.member.id.value()},
          {"nickname", relation.member.nickname},
          {"statusMessage", relation.member.status_message},
          {"profileImage", optional_text(relation.member.profile_image)},
          {"favorite", relation.favorite},
          {"hidden", relation.hidden},
          {"blocked", relation.blocked},
          {"since", format_iso8601(relation.since)}};
}

boost::json::object session_json(const auth::Session& session) {
  return {{"accessToken", session.access_token},
          {"refreshToken", session.refresh_token},
          {"tokenType", "Bearer"},
          {"expiresIn", session.expires_in.count()},
          {"member", member_json(session.member, true)}};
}

boost::json::object list_json(boost::json::array items, const std::optional<std::string>& next_cursor) {
  return {{"items", std::move(items)}, {"nextCursor", optional_text(next_cursor)}};
}

}  // namespace modu::api

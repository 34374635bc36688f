#include "api/member_api.hpp"

#include "api/paging.hpp"
#include "api/respond.hpp"
#include "api/views.hpp"
#include "http/json_body.hpp"

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <charconv>

namespace modu::api {
namespace {

using boost::asio::awaitable;
using http::Reply;
using http::Request;
using http::Response;

Result<std::vector<MemberId>> parse_ids(std::string_view text) {
  std::vector<MemberId> ids;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto part = text.substr(0, comma);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || end != part.data() + part.size() || value <= 0) {
      return Error::validation("parameter 'ids' must be member ids separated by commas");
    }
    ids.emplace_back(value);
    if (ids.size() > member::MemberService::kMaxBatch) {
      return Error::validation(fmt::format("parameter 'ids' takes at most {} ids", member::MemberService::kMaxBatch));
    }
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
  }
  if (ids.empty()) return Error::validation("parameter 'ids' is empty");
  return ids;
}

awaitable<Reply> search(Request& request, member::MemberService& members, WorkerPool& workers) {
  auto email = request.query_param("email");
  auto nickname = request.query_param("nickname");
  auto ids = request.query_param("ids");
  if ((email ? 1 : 0) + (nickname ? 1 : 0) + (ids ? 1 : 0) != 1) {
    co_return Error::validation("give exactly one of 'email', 'nickname' or 'ids'");
  }
  boost::json::array items;
  if (email) {
    auto found = co_await workers.run([&] { return members.find_by_email(*email); });
    if (!found && found.error().errc != Errc::not_found) co_return found.error();
    if (found) items.push_back(member_json(*found, false));
    co_return Response::json(200, list_json(std::move(items), std::nullopt));
  }
  if (ids) {
    auto wanted = parse_ids(*ids);
    if (!wanted) co_return wanted.error();
    auto found = co_await workers.run([&] { return members.find_many(*wanted); });
    if (!found) co_return found.error();
    for (const auto& member : *found) items.push_back(member_json(member, false));
    co_return Response::json(200, list_json(std::move(items), std::nullopt));
  }
  auto size = page_size(request);
  if (!size) co_return size.error();
  auto after = nickname_cursor(request);
  if (!after) co_return after.error();
  auto page = co_await workers.run([&] { return members.find_by_nickname_prefix(*nickname, *after, *size); });
  if (!page) co_return page.error();
  for (const auto& member : page->items) items.push_back(member_json(member, false));
  co_return Response::json(200,
                           list_json(std::move(items), page->next ? std::optional(encode(*page->next)) : std::nullopt));
}

Result<member::ProfilePatch> read_patch(const Request& request) {
  auto body = http::read_json_object(request);
  if (!body) return body.error();
  const http::Fields fields(*body);
  member::ProfilePatch patch;
  auto nickname = fields.optional_string("nickname");
  if (!nickname) return nickname.error();
  patch.nickname = std::move(*nickname);
  auto status = fields.optional_string("statusMessage");
  if (!status) return status.error();
  patch.status_message = std::move(*status);
  auto profile = fields.nullable_string("profileImage");
  if (!profile) return profile.error();
  patch.profile_image = std::move(*profile);
  auto background = fields.nullable_string("backgroundImage");
  if (!background) return background.error();
  patch.background_image = std::move(*background);
  return patch;
}

}  // namespace

void add_member_routes(http::Router& router, member::MemberService& members, presence::PresenceService& presence,
                       WorkerPool& workers) {
  router.add(http::Method::get, "/api/v1/members/me", http::Access::member,
             [&members, &workers](Request& request) -> awaitable<Reply> {
               auto me = co_await workers.run([&] { return members.get(request.member()); });
               if (!me) co_return Error{Errc::unauthorized, "your account no longer exists"};
               co_return Response::json(200, member_json(*me, true));
             });

  router.add(http::Method::patch, "/api/v1/members/me", http::Access::member,
             [&members, &workers](Request& request) -> awaitable<Reply> {
               auto patch = read_patch(request);
               if (!patch) co_return patch.error();
               co_return co_await respond(
                   workers, 200, [&] { return members.update_profile(request.member(), *patch); },
                   [](const member::Member& me) { return member_json(me, true); });
             });

  router.add(http::Method::get, "/api/v1/members", http::Access::member,
             [&members, &workers](Request& request) -> awaitable<Reply> {
               co_return co_await search(request, members, workers);
             });

  router.add(http::Method::get, "/api/v1/members/{memberId}", http::Access::member,
             [&members, &workers](Request& request) -> awaitable<Reply> {
               auto id = member_id_param(request, "memberId");
               if (!id) co_return id.error();
               co_return co_await respond(
                   workers, 200, [&] { return members.get(*id); },
                   [&](const member::Member& member) { return member_json(member, *id == request.member()); });
             });

  router.add(http::Method::get, "/api/v1/members/{memberId}/presence", http::Access::member,
             [&presence, &workers](Request& request) -> awaitable<Reply> {
               auto id = member_id_param(request, "memberId");
               if (!id) co_return id.error();
               co_return co_await respond(
                   workers, 200, [&] { return presence.get(request.member(), *id); }, presence_json);
             });

  router.add(http::Method::get, "/api/v1/members/{memberId}/profiles", http::Access::member,
             [&members, &workers](Request& request) -> awaitable<Reply> {
               auto id = member_id_param(request, "memberId");
               if (!id) co_return id.error();
               auto size = page_size(request);
               if (!size) co_return size.error();
               std::optional<std::int64_t> before;
               if (auto cursor = request.query_param("cursor")) {
                 auto parts = decode_cursor(*cursor);
                 if (!parts) co_return parts.error();
                 if (parts->size() != 1 || !(*parts)[0].is_int64()) {
                   co_return Error::validation("parameter 'cursor' is not a cursor this server gave out");
                 }
                 before = (*parts)[0].as_int64();
               }
               auto page = co_await workers.run([&] { return members.profile_history(*id, before, *size); });
               if (!page) co_return page.error();
               boost::json::array items;
               for (const auto& change : page->items) items.push_back(profile_change_json(change));
               std::optional<std::string> next;
               if (page->next) next = encode_cursor(boost::json::array{*page->next});
               co_return Response::json(200, list_json(std::move(items), next));
             });
}

}  // namespace modu::api

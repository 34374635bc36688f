#include "api/friend_api.hpp"

#include "api/paging.hpp"
#include "api/respond.hpp"
#include "api/views.hpp"
#include "http/json_body.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace modu::api {
namespace {

using boost::asio::awaitable;
using http::Reply;
using http::Request;
using http::Response;

Result<friends::Filter> filter_of(const Request& request) {
  auto type = request.query_param("type");
  if (!type || *type == "all") return friends::Filter::all;
  if (*type == "favorite") return friends::Filter::favorite;
  if (*type == "hidden") return friends::Filter::hidden;
  if (*type == "blocked") return friends::Filter::blocked;
  return Error::validation("parameter 'type' must be all, favorite, hidden or blocked");
}

}  // namespace

void add_friend_routes(http::Router& router, friends::FriendService& friends, WorkerPool& workers) {
  router.add(http::Method::get, "/api/v1/friends", http::Access::member,
             [&friends, &workers](Request& request) -> awaitable<Reply> {
               auto filter = filter_of(request);
               if (!filter) co_return filter.error();
               auto size = page_size(request);
               if (!size) co_return size.error();
               auto after = nickname_cursor(request);
               if (!after) co_return after.error();
               auto page = co_await workers.run([&] { return friends.list(request.member(), *filter, *after, *size); });
               if (!page) co_return page.error();
               boost::json::array items;
               for (const auto& relation : page->items) items.push_back(friend_json(relation));
               co_return Response::json(
                   200, list_json(std::move(items), page->next ? std::optional(encode(*page->next)) : std::nullopt));
             });

  router.add(http::Method::post, "/api/v1/friends", http::Access::member,
             [&friends, &workers](Request& request) -> awaitable<Reply> {
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               const http::Fields fields(*body);
               auto id = fields.optional_int("memberId");
               if (!id) co_return id.error();
               auto email = fields.optional_string("email");
               if (!email) co_return email.error();
               if (id->has_value() == email->has_value()) {
                 co_return Error::validation("give exactly one of 'memberId' or 'email'");
               }
               auto added = co_await workers.run([&] {
                 return *id ? friends.add(request.member(), MemberId(**id))
                            : friends.add_by_email(request.member(), **email);
               });
               if (!added) co_return added.error();
               co_return Response::json(added->created ? 201 : 200, friend_json(added->relation));
             });

  router.add(http::Method::patch, "/api/v1/friends/{memberId}", http::Access::member,
             [&friends, &workers](Request& request) -> awaitable<Reply> {
               auto id = member_id_param(request, "memberId");
               if (!id) co_return id.error();
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               const http::Fields fields(*body);
               friends::FriendPatch patch;
               for (auto [name, field] : {std::pair{"favorite", &patch.favorite}, std::pair{"hidden", &patch.hidden},
                                          std::pair{"blocked", &patch.blocked}}) {
                 auto value = fields.optional_bool(name);
                 if (!value) co_return value.error();
                 *field = *value;
               }
               if (!patch.favorite && !patch.hidden && !patch.blocked) {
                 co_return Error::validation("give at least one of 'favorite', 'hidden' or 'blocked'");
               }
               co_return co_await respond(
                   workers, 200, [&] { return friends.change(request.member(), *id, patch); }, friend_json);
             });

  router.add(http::Method::delete_, "/api/v1/friends/{memberId}", http::Access::member,
             [&friends, &workers](Request& request) -> awaitable<Reply> {
               auto id = member_id_param(request, "memberId");
               if (!id) co_return id.error();
               auto removed = co_await workers.run([&] { return friends.remove(request.member(), *id); });
               if (!removed) co_return removed.error();
               co_return Response::no_content();
             });
}

}  // namespace modu::api

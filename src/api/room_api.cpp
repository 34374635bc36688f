#include "api/room_api.hpp"

#include "api/message_input.hpp"
#include "api/paging.hpp"
#include "api/respond.hpp"
#include "api/views.hpp"
#include "core/time_format.hpp"
#include "http/json_body.hpp"

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>

namespace modu::api {
namespace {

using boost::asio::awaitable;
using http::Reply;
using http::Request;
using http::Response;

Result<std::vector<MemberId>> member_ids(const boost::json::object& body) {
  const auto* value = body.if_contains("memberIds");
  if (!value) return Error::validation("field 'memberIds' is required");
  if (!value->is_array()) return Error::validation("field 'memberIds' must be an array of member ids");
  std::vector<MemberId> ids;
  for (const auto& item : value->as_array()) {
    if (!item.is_int64() || item.as_int64() <= 0) {
      return Error::validation("field 'memberIds' must be an array of member ids");
    }
    ids.emplace_back(item.as_int64());
  }
  return ids;
}

Result<std::optional<room::ActivityCursor>> activity_cursor(const Request& request) {
  auto text = request.query_param("cursor");
  if (!text) return std::optional<room::ActivityCursor>();
  auto parts = decode_cursor(*text);
  if (!parts) return parts.error();
  if (parts->size() != 2 || !(*parts)[0].is_int64() || !(*parts)[1].is_int64()) {
    return Error::validation("parameter 'cursor' is not a cursor this server gave out");
  }
  return std::optional<room::ActivityCursor>(
      room::ActivityCursor{std::chrono::system_clock::time_point(std::chrono::milliseconds((*parts)[0].as_int64())),
                           RoomId((*parts)[1].as_int64())});
}

/// `room_json` as the member making the request sees the room.
auto room_json_for(const Request& request) {
  return [viewer = request.member()](const room::RoomDetail& detail) { return room_json(detail, viewer); };
}

/// A seq cursor as the listing shape has it: a string, or null at the end.
std::optional<std::string> seq_cursor(const std::optional<std::int64_t>& next) {
  if (!next) return std::nullopt;
  return std::to_string(*next);
}

}  // namespace

void add_room_routes(http::Router& router, room::RoomService& rooms, chat::ChatService& chat, WorkerPool& workers) {
  router.add(http::Method::post, "/api/v1/rooms", http::Access::member,
             [&rooms, &workers](Request& request) -> awaitable<Reply> {
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               auto ids = member_ids(*body);
               if (!ids) co_return ids.error();
               auto name = http::Fields(*body).optional_string("name");
               if (!name) co_return name.error();
               auto opened = co_await workers.run([&] { return rooms.open(request.member(), *ids, *name); });
               if (!opened) co_return opened.error();
               co_return Response::json(opened->created ? 201 : 200, room_json(opened->detail, request.member()));
             });

  router.add(
      http::Method::get, "/api/v1/rooms", http::Access::member,
      [&rooms, &workers](Request& request) -> awaitable<Reply> {
        auto size = page_size(request);
        if (!size) co_return size.error();
        auto after = activity_cursor(request);
        if (!after) co_return after.error();
        auto page = co_await workers.run([&] { return rooms.list(request.member(), *after, *size); });
        if (!page) co_return page.error();
        boost::json::array items;
        for (const auto& summary : page->items) items.push_back(room_summary_json(summary, request.member()));
        std::optional<std::string> next;
        if (page->next) {
          next = encode_cursor(boost::json::array{epoch_millis(page->next->last_activity_at), page->next->id.value()});
        }
        co_return Response::json(200, list_json(std::move(items), next));
      });

  router.add(http::Method::get, "/api/v1/rooms/{roomId}", http::Access::member,
             [&rooms, &workers](Request& request) -> awaitable<Reply> {
               auto id = room_id_param(request, "roomId");
               if (!id) co_return id.error();
               co_return co_await respond(
                   workers, 200, [&] { return rooms.get(request.member(), *id); }, room_json_for(request));
             });

  router.add(http::Method::patch, "/api/v1/rooms/{roomId}", http::Access::member,
             [&rooms, &workers](Request& request) -> awaitable<Reply> {
               auto id = room_id_param(request, "roomId");
               if (!id) co_return id.error();
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               const http::Fields fields(*body);
               auto name = fields.optional_string("name");
               if (!name) co_return name.error();
               auto image = fields.nullable_string("image");
               if (!image) co_return image.error();
               if (!*name && !*image) co_return Error::validation("give 'name' or 'image'");
               co_return co_await respond(
                   workers, 200, [&] { return rooms.update(request.member(), *id, *name, *image); },
                   room_json_for(request));
             });

  router.add(http::Method::post, "/api/v1/rooms/{roomId}/members", http::Access::member,
             [&rooms, &workers](Request& request) -> awaitable<Reply> {
               auto id = room_id_param(request, "roomId");
               if (!id) co_return id.error();
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               auto ids = member_ids(*body);
               if (!ids) co_return ids.error();
               co_return co_await respond(
                   workers, 200, [&] { return rooms.invite(request.member(), *id, *ids); }, room_json_for(request));
             });

  router.add(http::Method::delete_, "/api/v1/rooms/{roomId}/members/me", http::Access::member,
             [&rooms, &workers](Request& request) -> awaitable<Reply> {
               auto id = room_id_param(request, "roomId");
               if (!id) co_return id.error();
               auto left = co_await workers.run([&] { return rooms.leave(request.member(), *id); });
               if (!left) co_return left.error();
               co_return Response::no_content();
             });

  router.add(http::Method::patch, "/api/v1/rooms/{roomId}/members/me", http::Access::member,
             [&rooms, &workers](Request& request) -> awaitable<Reply> {
               auto id = room_id_param(request, "roomId");
               if (!id) co_return id.error();
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               auto muted = http::Fields(*body).optional_bool("muted");
               if (!muted) co_return muted.error();
               if (!*muted) co_return Error::validation("field 'muted' is required");
               co_return co_await respond(
                   workers, 200, [&] { return rooms.set_muted(request.member(), *id, **muted); },
                   [&](const room::Membership& mine) { return membership_json(mine, request.member()); });
             });

  router.add(http::Method::post, "/api/v1/rooms/{roomId}/messages", http::Access::member,
             [&chat](Request& request) -> awaitable<Reply> {
               auto id = room_id_param(request, "roomId");
               if (!id) co_return id.error();
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               auto message = parse_outgoing_message(*body);
               if (!message) co_return message.error();
               auto sent = co_await chat.send(request.member(), *id, message->type, std::move(message->body),
                                              std::move(message->client_msg_id));
               if (!sent) co_return sent.error();
               boost::json::monotonic_resource scratch;  // serialized at once: one allocation, not a dozen
               co_return Response::json(201, message_json(*sent, &scratch));
             });

  router.add(http::Method::get, "/api/v1/rooms/{roomId}/messages", http::Access::member,
             [&chat, &workers](Request& request) -> awaitable<Reply> {
               auto id = room_id_param(request, "roomId");
               if (!id) co_return id.error();
               auto size = page_size(request);
               if (!size) co_return size.error();
               auto before = query_integer(request, "before", 1);
               if (!before) co_return before.error();
               auto after = query_integer(request, "after", 0);
               if (!after) co_return after.error();
               if (*before && *after) co_return Error::validation("give 'before' or 'after', not both");
               auto page =
                   co_await workers.run([&] { return chat.history(request.member(), *id, *before, *after, *size); });
               if (!page) co_return page.error();
               boost::json::array items;
               for (const auto& item : page->items) items.push_back(message_json(item));
               co_return Response::json(200, list_json(std::move(items), seq_cursor(page->next)));
             });

  router.add(http::Method::get, "/api/v1/rooms/{roomId}/messages/count", http::Access::member,
             [&chat, &workers](Request& request) -> awaitable<Reply> {
               auto id = room_id_param(request, "roomId");
               if (!id) co_return id.error();
               auto count = co_await workers.run([&] { return chat.count(request.member(), *id); });
               if (!count) co_return count.error();
               co_return Response::json(200, {{"roomId", id->value()}, {"count", *count}});
             });

  router.add(http::Method::get, "/api/v1/rooms/{roomId}/images", http::Access::member,
             [&chat, &workers](Request& request) -> awaitable<Reply> {
               auto id = room_id_param(request, "roomId");
               if (!id) co_return id.error();
               auto size = page_size(request);
               if (!size) co_return size.error();
               auto before = query_integer(request, "before", 1);
               if (!before) co_return before.error();
               auto images = co_await workers.run([&] { return chat.images(request.member(), *id, *before, *size); });
               if (!images) co_return images.error();
               boost::json::array items;
               for (const auto& message : images->items) items.push_back(message_json(message));
               co_return Response::json(200, list_json(std::move(items), seq_cursor(images->next)));
             });

  router.add(http::Method::post, "/api/v1/rooms/{roomId}/read", http::Access::member,
             [&rooms, &workers](Request& request) -> awaitable<Reply> {
               auto id = room_id_param(request, "roomId");
               if (!id) co_return id.error();
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               auto seq = http::Fields(*body).required_int("seq");
               if (!seq) co_return seq.error();
               auto read = co_await workers.run([&]() -> Result<std::pair<std::int64_t, std::int64_t>> {
                 auto position = rooms.mark_read(request.member(), *id, *seq);
                 if (!position) return position.error();
                 auto detail = rooms.get(request.member(), *id);
                 if (!detail) return detail.error();
                 return std::pair{*position, detail->room.last_seq};
               });
               if (!read) co_return read.error();
               co_return Response::json(200, {{"roomId", id->value()},
                                              {"readSeq", read->first},
                                              {"unreadCount", std::max<std::int64_t>(0, read->second - read->first)}});
             });
}

}  // namespace modu::api

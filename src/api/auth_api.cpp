#include "api/auth_api.hpp"

#include "api/respond.hpp"
#include "api/views.hpp"
#include "http/bearer_token.hpp"
#include "http/json_body.hpp"

#include <boost/json/object.hpp>

namespace modu::api {
namespace {

using boost::asio::awaitable;
using http::Reply;
using http::Request;
using http::Response;

}  // namespace

awaitable<Result<Principal>> BearerAuthenticator::authenticate(const Request& request) const {
  auto header = request.header("Authorization");
  auto token = header ? http::bearer_token(*header) : std::nullopt;
  if (!token) co_return Error{Errc::unauthorized, "this route needs an access token: Authorization: Bearer <token>"};
  co_return auth_.authenticate(*token);
}

void add_auth_routes(http::Router& router, auth::AuthService& auth, WorkerPool& workers, WorkerPool& password_workers) {
  router.add(http::Method::post, "/api/v1/auth/signup", http::Access::open,
             [&auth, &password_workers](Request& request) -> awaitable<Reply> {
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               const http::Fields fields(*body);
               auto email = fields.required_string("email");
               if (!email) co_return email.error();
               auto password = fields.required_string("password");
               if (!password) co_return password.error();
               auto nickname = fields.required_string("nickname");
               if (!nickname) co_return nickname.error();
               auto member = co_await password_workers.run([&] { return auth.sign_up(*email, *password, *nickname); });
               if (!member) co_return member.error();
               auto response = Response::json(201, member_json(*member, true));
               response.set_header("Location", "/api/v1/members/" + std::to_string(member->id.value()));
               co_return response;
             });

  router.add(http::Method::post, "/api/v1/auth/login", http::Access::open,
             [&auth, &password_workers](Request& request) -> awaitable<Reply> {
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               const http::Fields fields(*body);
               auto email = fields.required_string("email");
               if (!email) co_return email.error();
               auto password = fields.required_string("password");
               if (!password) co_return password.error();
               co_return co_await respond(
                   password_workers, 200, [&] { return auth.log_in(*email, *password, request.client_address); },
                   session_json);
             });

  router.add(http::Method::post, "/api/v1/auth/reissue", http::Access::open,
             [&auth, &workers](Request& request) -> awaitable<Reply> {
               auto body = http::read_json_object(request);
               if (!body) co_return body.error();
               auto token = http::Fields(*body).required_string("refreshToken");
               if (!token) co_return token.error();
               co_return co_await respond(
                   workers, 200, [&] { return auth.reissue(*token); }, session_json);
             });

  router.add(http::Method::post, "/api/v1/auth/logout", http::Access::member,
             [&auth, &workers](Request& request) -> awaitable<Reply> {
               co_await workers.run([&] { auth.log_out(*request.principal); });
               co_return Response::no_content();
             });

  router.add(http::Method::get, "/api/v1/auth/check", http::Access::member, [](Request& request) -> awaitable<Reply> {
    const auto id = request.member().value();
    auto response = Response::json(200, {{"memberId", id}});
    response.set_header("X-Member-Id", std::to_string(id));
    co_return response;
  });
}

}  // namespace modu::api

#include "http/pipeline.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <variant>

namespace modu::http {

Pipeline::Pipeline(Router router, std::vector<std::unique_ptr<Middleware>> middleware,
                   std::shared_ptr<const Authenticator> authenticator)
    : router_(std::move(router)), middleware_(std::move(middleware)), authenticator_(std::move(authenticator)) {}

boost::asio::awaitable<Response> Pipeline::handle(Request& request) const {
  std::size_t entered = 0;
  std::optional<Reply> reply;
  while (entered < middleware_.size() && !reply) {
    reply = middleware_[entered++]->on_request(request);
  }
  if (!reply) {
    try {
      reply = co_await dispatch(request);
    } catch (const std::exception& e) {
      spdlog::error("request {} {} failed: {}", method_name(request.method), request.path, e.what());
      reply = Error::internal();
    }
  }
  Response response = *reply ? std::move(**reply) : error_response(reply->error(), request.request_id);
  while (entered > 0) middleware_[--entered]->on_response(request, response);
  co_return response;
}

Response Pipeline::reject(Request& request, const Error& error) const {
  for (const auto& step : middleware_) step->on_request(request);  // the error is the answer, whatever they say
  Response response = error_response(error, request.request_id);
  for (auto step = middleware_.rbegin(); step != middleware_.rend(); ++step) (*step)->on_response(request, response);
  return response;
}

boost::asio::awaitable<Reply> Pipeline::dispatch(Request& request) const {
  auto match = router_.match(request.method, request.path);
  if (auto* found = std::get_if<Router::Found>(&match)) {
    request.route = found->route->pattern;
    request.path_params = std::move(found->params);
    if (found->route->access == Access::member) {
      if (!authenticator_) co_return Error{Errc::unauthorized, "this route needs an access token"};
      auto principal = co_await authenticator_->authenticate(request);
      if (!principal) {
        auto response = error_response(principal.error(), request.request_id);
        response.set_header("WWW-Authenticate", "Bearer");
        co_return response;
      }
      request.principal = std::move(*principal);
    }
    co_return co_await found->route->handler(request);
  }
  if (auto* not_allowed = std::get_if<Router::MethodNotAllowed>(&match)) {
    std::string allow;
    for (auto method : not_allowed->allowed) {
      allow += method_name(method);
      allow += ", ";
    }
    allow += "OPTIONS";
    // OPTIONS asks what a path allows (RFC 9110, 9.3.7): every route answers it, 200 with
    // no content (so Content-Length: 0, which a 204 may not carry). A CORS preflight does
    // not get here; the CORS middleware answers it.
    if (request.method == Method::options) {
      Response response;
      response.status = 200;
      response.set_header("Allow", allow);
      co_return response;
    }
    auto response = error_response(
        {Errc::method_not_allowed, fmt::format("{} is not allowed here; use {}", method_name(request.method), allow)},
        request.request_id);
    response.set_header("Allow", allow);
    co_return response;
  }
  co_return Error::not_found(fmt::format("no route for {}", request.path));
}

}  // namespace modu::http

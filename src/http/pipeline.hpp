#pragma once

#include "http/middleware.hpp"
#include "http/router.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <vector>

namespace modu::http {

/// Checks a request's credentials for routes that need a member.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// The principal of a valid `Authorization: Bearer` access token; UNAUTHORIZED otherwise.
  virtual boost::asio::awaitable<Result<Principal>> authenticate(const Request& request) const = 0;
};

/// Middleware, then the router, then the handler; errors become the contract's JSON
/// error. This is the whole of request handling without the sockets, so tests drive it
/// in process with plain requests.
/// @par Thread safety
/// `handle` may run on any number of threads at once; middleware must allow that.
class Pipeline {
 public:
  /// Without an authenticator, every Access::member route answers 401.
  Pipeline(Router router, std::vector<std::unique_ptr<Middleware>> middleware,
           std::shared_ptr<const Authenticator> authenticator = nullptr);

  /// Never throws: a handler's exception is logged and answered with 500.
  boost::asio::awaitable<Response> handle(Request& request) const;

  /// Answers a request the transport could not read whole (too large, malformed) with
  /// `error`, still passing it through the middleware so it is counted, logged and
  /// carries a request id.
  Response reject(Request& request, const Error& error) const;

  const Router& router() const { return router_; }

 private:
  boost::asio::awaitable<Reply> dispatch(Request& request) const;

  Router router_;
  std::vector<std::unique_ptr<Middleware>> middleware_;
  std::shared_ptr<const Authenticator> authenticator_;
};

}  // namespace modu::http

#pragma once

#include "http/message.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace modu::http {

using Handler = std::function<boost::asio::awaitable<Reply>(Request&)>;

/// Who may call a route: anyone, or only a member with a valid access token.
enum class Access { open, member };

/// Maps method and path to a handler. Patterns are literal segments and `{name}`
/// parameters: "/api/v1/rooms/{roomId}/messages". A literal segment wins over a
/// parameter at the same place. HEAD is answered by the GET route.
/// @par Thread safety
/// Routes are added before serving; matching is read-only and may run on any thread.
class Router {
 public:
  struct Route {
    Method method;
    std::string pattern;
    Access access;
    Handler handler;
  };
  struct Found {
    const Route* route;
    std::vector<std::pair<std::string_view, std::string>> params;
  };
  struct MethodNotAllowed {
    std::vector<Method> allowed;
  };
  struct NotFound {};
  using Match = std::variant<Found, MethodNotAllowed, NotFound>;

  Router();
  ~Router();
  Router(Router&&) noexcept;

  /// Registers a route; throws std::logic_error on a duplicate or an inconsistent pattern.
  void add(Method method, std::string pattern, Access access, Handler handler);

  /// `path` is percent-decoded and begins with '/'.
  Match match(Method method, std::string_view path) const;

  /// Every route, in the order added (for the OpenAPI check and start-up logs).
  std::vector<const Route*> routes() const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace modu::http

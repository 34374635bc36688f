#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace modu::http {

/// A trie over path segments. Each node holds its literal children, at most one
/// parameter child, and the routes that end at it, one per method.
struct Router::Node {
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::unique_ptr<Node> parameter;
  std::string parameter_name;
  std::vector<const Route*> endpoints;

  Node* literal(std::string_view segment) const {
    for (const auto& [text, child] : literals) {
      if (text == segment) return child.get();
    }
    return nullptr;
  }
};

namespace {

/// Splits "/a/b/" into "a", "b", "" — a trailing slash is a segment of its own, so
/// "/swagger-ui/" and "/swagger-ui" are different routes.
template <class Visit>
void for_each_segment(std::string_view path, Visit visit) {
  if (path.empty() || path.front() != '/') return;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    visit(path.substr(0, slash));
    if (slash == std::string_view::npos) return;
    path.remove_prefix(slash + 1);
  }
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;

void Router::add(Method method, std::string pattern, Access access, Handler handler) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::logic_error("route pattern must begin with '/': " + pattern);
  Node* node = root_.get();
  for_each_segment(pattern, [&](std::string_view segment) {
    if (is_parameter(segment)) {
      auto name = std::string(segment.substr(1, segment.size() - 2));
      if (!node->parameter) {
        node->parameter = std::make_unique<Node>();
        node->parameter_name = name;
      } else if (node->parameter_name != name) {
        throw std::logic_error("route " + pattern + ": parameter {" + name + "} stands where other routes have {" +
                               node->parameter_name + "}");
      }
      node = node->parameter.get();
    } else if (auto* child = node->literal(segment)) {
      node = child;
    } else {
      node->literals.emplace_back(std::string(segment), std::make_unique<Node>());
      node = node->literals.back().second.get();
    }
  });
  for (const auto* existing : node->endpoints) {
    if (existing->method == method) {
      throw std::logic_error("route registered twice: " + std::string(method_name(method)) + " " + pattern);
    }
  }
  routes_.push_back(std::make_unique<Route>(Route{method, std::move(pattern), access, std::move(handler)}));
  node->endpoints.push_back(routes_.back().get());
}

Router::Match Router::match(Method method, std::string_view path) const {
  std::vector<std::pair<std::string_view, std::string>> params;
  const Node* node = root_.get();
  for_each_segment(path, [&](std::string_view segment) {
    if (!node) return;
    if (const auto* child = node->literal(segment)) {
      node = child;
    } else if (node->parameter && !segment.empty()) {
      params.emplace_back(node->parameter_name, std::string(segment));
      node = node->parameter.get();
    } else {
      node = nullptr;
    }
  });
  if (!node || node->endpoints.empty()) return NotFound{};

  const auto wanted = method == Method::head ? Method::get : method;
  for (const auto* route : node->endpoints) {
    if (route->method == wanted) return Found{route, std::move(params)};
  }
  MethodNotAllowed not_allowed;
  for (const auto* route : node->endpoints) {
    not_allowed.allowed.push_back(route->method);
    if (route->method == Method::get) not_allowed.allowed.push_back(Method::head);
  }
  return not_allowed;
}

std::vector<const Router::Route*> Router::routes() const {
  std::vector<const Route*> all;
  for (const auto& route : routes_) all.push_back(route.get());
  return all;
}

}  // namespace modu::http

#pragma once

#include "http/message.hpp"

#include <optional>

namespace modu::http {

/// A step that every request passes through on its way to the router and back.
/// `on_request` may answer the request itself (a CORS preflight); the steps after it
/// and the router are then skipped, but `on_response` still runs for every step whose
/// `on_request` ran, innermost first.
class Middleware {
 public:
  virtual ~Middleware() = default;
  virtual std::optional<Reply> on_request(Request&) { return std::nullopt; }
  virtual void on_response(const Request&, Response&) {}
};

}  // namespace modu::http

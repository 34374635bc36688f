#pragma once

#include "core/errors.hpp"
#include "core/principal.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modu::http {

enum class Method { get, head, post, put, patch, delete_, options, other };

Method parse_method(std::string_view name);
std::string_view method_name(Method method);

/// Header look-up over whatever the transport parsed, so that handlers and middleware
/// never see Beast.
class HeaderSource {
 public:
  virtual ~HeaderSource() = default;
  /// The value of the first header with this name (case-insensitive), if any.
  virtual std::optional<std::string_view> find(std::string_view name) const = 0;
};

/// One HTTP request as handlers see it. Views point into the transport's buffers and
/// live as long as the request is being handled.
struct Request {
  Method method = Method::get;
  std::string_view target;  ///< as received: path and query
  std::string path;         ///< percent-decoded
  /// Raw, without '?'. Owned: Boost.URL 1.81's parse_query measures its input with
  /// strlen, so a view into the transport's buffer would read past the query.
  std::string query;
  std::string_view body;
  const HeaderSource* headers = nullptr;
  std::string client_address;

  // Filled in on the way through the pipeline:
  std::string request_id;
  std::string_view route;  ///< the matched pattern, for metrics and logs; empty if none
  std::vector<std::pair<std::string_view, std::string>> path_params;
  std::optional<Principal> principal;  ///< set for routes that need a member, once the token checks out
  std::chrono::steady_clock::time_point received_at = std::chrono::steady_clock::now();

  std::optional<std::string_view> header(std::string_view name) const {
    return headers ? headers->find(name) : std::nullopt;
  }
  /// A path parameter by its name in the route pattern; routes guarantee it is there.
  const std::string& param(std::string_view name) const;
  /// The authenticated member; only for routes registered with Access::member.
  MemberId member() const { return principal ? principal->member : MemberId(); }
  /// A query parameter, percent-decoded.
  std::optional<std::string> query_param(std::string_view name) const;
};

/// One HTTP response. The body is either owned or a view of bytes that outlive the
/// server (built-in files), so static files are never copied per request.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string_view static_body;

  std::string_view payload() const { return static_body.empty() ? std::string_view(body) : static_body; }
  void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }

  static Response json(int status, const boost::json::value& value);
  static Response no_content();
};

/// What a handler gives back: a response, or an error that the pipeline renders as the
/// contract's JSON error with the request id.
using Reply = Result<Response>;

/// `{"code", "message", "requestId"}` with the status from the one mapping table.
Response error_response(const Error& error, std::string_view request_id);

}  // namespace modu::http

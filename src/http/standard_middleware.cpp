#include "http/standard_middleware.hpp"

#include "core/unique_ids.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>

namespace modu::http {
namespace {

constexpr std::size_t kMaxClientRequestId = 64;
constexpr std::string_view kAllowMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
constexpr std::string_view kAllowHeaders = "Authorization, Content-Type, X-Request-Id";

bool is_sane_request_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxClientRequestId && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::string json_quote(std::string_view text) { return boost::json::serialize(boost::json::string(text)); }

}  // namespace

std::optional<Reply> RequestIdMiddleware::on_request(Request& request) {
  auto given = request.header("X-Request-Id");
  request.request_id = given && is_sane_request_id(*given) ? std::string(*given) : unique_id();
  return std::nullopt;
}

void RequestIdMiddleware::on_response(const Request& request, Response& response) {
  response.set_header("X-Request-Id", request.request_id);
}

bool CorsMiddleware::allowed(std::string_view origin) const {
  return std::any_of(config_.allowed_origins.begin(), config_.allowed_origins.end(),
                     [&](const std::string& allowed) { return allowed == "*" || allowed == origin; });
}

std::optional<Reply> CorsMiddleware::on_request(Request& request) {
  auto origin = request.header("Origin");
  const bool preflight = request.method == Method::options && request.header("Access-Control-Request-Method");
  if (!origin || !preflight) return std::nullopt;
  if (!allowed(*origin)) return Error{Errc::forbidden, fmt::format("origin '{}' is not allowed", *origin)};
  auto response = Response::no_content();
  response.set_header("Access-Control-Allow-Methods", std::string(kAllowMethods));
  response.set_header("Access-Control-Allow-Headers", std::string(kAllowHeaders));
  response.set_header("Access-Control-Max-Age", std::to_string(config_.max_age_seconds));
  return response;
}

void CorsMiddleware::on_response(const Request& request, Response& response) {
  auto origin = request.header("Origin");
  if (!origin || !allowed(*origin)) return;
  response.set_header("Access-Control-Allow-Origin", std::string(*origin));
  response.set_header("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, ETag");
  response.set_header("Vary", "Origin");
}

void ObservabilityMiddleware::on_response(const Request& request, Response& response) {
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - request.received_at).count();
  const std::string_view route = request.route.empty() ? std::string_view("unmatched") : request.route;
  metrics_.record_request(method_name(request.method), route, response.status, elapsed);
  if (access_log_) {
    access_log_->info(
        R"("method":"{}","path":{},"route":{},"status":{},"durationMs":{:.3f},"bytes":{},"client":{},"requestId":{})",
        method_name(request.method), json_quote(request.path), json_quote(route), response.status, elapsed * 1000,
        response.payload().size(), json_quote(request.client_address), json_quote(request.request_id));
  }
}

}  // namespace modu::http

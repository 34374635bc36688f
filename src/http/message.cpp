#include "http/message.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include <array>
#include <stdexcept>

namespace modu::http {
namespace {

constexpr std::array<std::pair<std::string_view, Method>, 7> kMethods{{
    {"GET", Method::get},
    {"HEAD", Method::head},
    {"POST", Method::post},
    {"PUT", Method::put},
    {"PATCH", Method::patch},
    {"DELETE", Method::delete_},
    {"OPTIONS", Method::options},
}};

}  // namespace

Method parse_method(std::string_view name) {
  for (const auto& [text, method] : kMethods) {
    if (text == name) return method;
  }
  return Method::other;
}

std::string_view method_name(Method method) {
  for (const auto& [text, known] : kMethods) {
    if (known == method) return text;
  }
  return "OTHER";
}

const std::string& Request::param(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  throw std::logic_error("route has no path parameter named " + std::string(name));
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto encoded = boost::urls::parse_query(query);
  if (!encoded) return std::nullopt;
  for (const auto& param : boost::urls::params_view(*encoded)) {  // percent-decoded, '+' as space
    if (param.key == name) return param.value;
  }
  return std::nullopt;
}

Response Response::json(int status, const boost::json::value& value) {
  Response response;
  response.status = status;
  response.body = boost::json::serialize(value);
  return response;
}

Response Response::no_content() {
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

Response error_response(const Error& error, std::string_view request_id) {
  const auto& info = describe(error.errc);
  auto response =
      Response::json(info.http_status, {{"code", info.code}, {"message", error.message}, {"requestId", request_id}});
  if (error.retry_after_seconds > 0) response.set_header("Retry-After", std::to_string(error.retry_after_seconds));
  return response;
}

}  // namespace modu::http

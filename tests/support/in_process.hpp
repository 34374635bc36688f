#pragma once

// Drives request handling in process: plain requests in, responses out, no sockets.

#include "http/pipeline.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <map>
#include <string>

namespace modu::testing {

class MapHeaders final : public http::HeaderSource {
 public:
  std::map<std::string, std::string> values;  // names lower-case
  std::optional<std::string_view> find(std::string_view name) const override {
    std::string lower(name);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = values.find(lower);
    if (it == values.end()) return std::nullopt;
    return std::string_view(it->second);
  }
};

struct Call {
  http::Method method = http::Method::get;
  std::string target = "/";
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

/// Runs one request through the pipeline on a private event loop.
inline http::Response call(const http::Pipeline& pipeline, const Call& call) {
  MapHeaders headers;
  headers.values = call.headers;
  http::Request request;
  request.method = call.method;
  request.target = call.target;
  request.body = call.body;
  request.headers = &headers;
  request.client_address = "127.0.0.1";
  auto url = boost::urls::parse_origin_form(call.target);
  if (!url) throw std::invalid_argument("bad target " + call.target);
  request.path = url->path();
  request.query = url->encoded_query();

  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, pipeline.handle(request), boost::asio::use_future);
  io.run();
  return future.get();
}

inline http::Response get(const http::Pipeline& pipeline, std::string target) {
  return call(pipeline, {http::Method::get, std::move(target)});
}

inline boost::json::value json_of(const http::Response& response) { return boost::json::parse(response.payload()); }

inline std::optional<std::string> header_of(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace modu::testing

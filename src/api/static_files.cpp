#include "api/static_files.hpp"

#include "core/resources.hpp"
#include "http/entity_tag.hpp"

#include <fmt/format.h>

#include <functional>

namespace modu::api {
namespace {

std::string_view content_type_of(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".png")) return "image/png";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace

StaticFile static_file(std::string_view name, std::string_view bytes) {
  return {bytes, std::string(content_type_of(name)), fmt::format("\"{:016x}\"", std::hash<std::string_view>{}(bytes))};
}

std::vector<std::pair<std::string, StaticFile>> static_files_under(std::string_view prefix) {
  std::vector<std::pair<std::string, StaticFile>> files;
  for (auto name : resources::names()) {
    if (!name.starts_with(prefix)) continue;
    const auto rest = name.substr(prefix.size());
    files.emplace_back(std::string(rest), static_file(rest, *resources::find(name)));
  }
  return files;
}

http::Response serve_static(const StaticFile& file, const http::Request& request, std::string_view cache_control) {
  http::Response response;
  response.set_header("ETag", file.etag);
  response.set_header("Cache-Control", std::string(cache_control));
  if (auto tags = request.header("If-None-Match"); tags && http::none_match_names(*tags, file.etag)) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  response.set_header("X-Content-Type-Options", "nosniff");
  response.content_type = file.content_type;
  response.static_body = file.bytes;
  return response;
}

}  // namespace modu::api

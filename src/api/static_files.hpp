#pragma once

#include "http/message.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modu::api {

/// A file built into the binary, ready to serve: its bytes (which live as long as the
/// process), its content type by extension, and a strong validator from its bytes, so
/// browsers revalidate with a cheap 304.
struct StaticFile {
  std::string_view bytes;
  std::string content_type;
  std::string etag;
};

StaticFile static_file(std::string_view name, std::string_view bytes);

/// The built-in files whose names begin with `prefix`, each named by the rest of its name
/// ("swagger-ui/" finds "swagger-ui/swagger-ui.css" as "swagger-ui.css").
std::vector<std::pair<std::string, StaticFile>> static_files_under(std::string_view prefix);

/// 200 with the file and `Cache-Control: <cache_control>`, or 304 when `If-None-Match`
/// names its ETag.
http::Response serve_static(const StaticFile& file, const http::Request& request, std::string_view cache_control);

}  // namespace modu::api

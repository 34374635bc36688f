#include "api/web_api.hpp"

#include "api/static_files.hpp"

#include <fmt/format.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace modu::api {
namespace {

/// Where cmake/Embed.cmake puts the client's files (and the stompjs bundle beside them).
constexpr std::string_view kFolder = "web/client/";
constexpr std::string_view kPage = "index.html";

/// The URLs carry no version, and a new binary brings new files: browsers keep them but
/// ask every time, which the ETag turns into a 304 without a body.
constexpr std::string_view kCacheControl = "no-cache";

/// The page runs only its own scripts and talks only to this server (REST and /ws).
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace

void add_web_routes(http::Router& router) {
  std::shared_ptr<const StaticFile> page;
  std::vector<std::pair<std::string, StaticFile>> others;
  for (auto& [name, file] : static_files_under(kFolder)) {
    if (name == kPage) {
      page = std::make_shared<const StaticFile>(file);
    } else {
      others.emplace_back(std::move(name), file);
    }
  }
  if (!page) throw std::logic_error(fmt::format("{}{} is not built in", kFolder, kPage));
  auto assets = std::make_shared<const decltype(others)>(std::move(others));

  router.add(http::Method::get, "/", http::Access::open,
             [page](http::Request& request) -> boost::asio::awaitable<http::Reply> {
               auto response = serve_static(*page, request, kCacheControl);
               response.set_header("Content-Security-Policy", std::string(kContentSecurityPolicy));
               co_return response;
             });

  router.add(http::Method::get, "/assets/{name}", http::Access::open,
             [assets](http::Request& request) -> boost::asio::awaitable<http::Reply> {
               const auto& wanted = request.param("name");
               for (const auto& [name, file] : *assets) {
                 if (name == wanted) co_return serve_static(file, request, kCacheControl);
               }
               co_return Error::not_found(fmt::format("no file named '{}'", wanted));
             });
}

}  // namespace modu::api

#include "api/docs_api.hpp"

#include "api/static_files.hpp"
#include "core/resources.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <memory>

namespace modu::api {
namespace {

boost::json::value to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      boost::json::object object;
      for (const auto& entry : node) object[entry.first.as<std::string>()] = to_json(entry.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      boost::json::array array;
      for (const auto& item : node) array.push_back(to_json(item));
      return array;
    }
    case YAML::NodeType::Scalar: {
      const auto& text = node.Scalar();
      if (node.Tag() != "?") return boost::json::string(text);  // quoted: a string, whatever it reads as
      if (text == "true") return true;
      if (text == "false") return false;
      if (text == "null" || text == "~") return nullptr;
      std::int64_t integer = 0;
      if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), integer);
          ec == std::errc() && end == text.data() + text.size()) {
        return integer;
      }
      double number = 0;
      if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
          ec == std::errc() && end == text.data() + text.size()) {
        return number;
      }
      return boost::json::string(text);
    }
    default:
      return nullptr;
  }
}

/// Swagger UI changes only with the binary; an hour saves its megabyte on every visit.
constexpr std::string_view kCacheControl = "public, max-age=3600";

}  // namespace

boost::json::value openapi_document() {
  auto text = resources::find("openapi/openapi.yaml");
  if (!text) throw std::logic_error("openapi/openapi.yaml is not built in");
  return to_json(YAML::Load(std::string(*text)));
}

void add_docs_routes(http::Router& router) {
  auto document = std::make_shared<const std::string>(boost::json::serialize(openapi_document()));
  router.add(http::Method::get, "/v3/api-docs", http::Access::open,
             [document](http::Request&) -> boost::asio::awaitable<http::Reply> {
               http::Response response;
               response.static_body = *document;
               co_return response;
             });

  router.add(http::Method::get, "/swagger-ui", http::Access::open,
             [](http::Request&) -> boost::asio::awaitable<http::Reply> {
               http::Response response;
               response.status = 301;
               response.content_type.clear();
               response.set_header("Location", "/swagger-ui/");
               co_return response;
             });

  auto index =
      std::make_shared<const StaticFile>(static_file("index.html", *resources::find("web/swagger-ui/index.html")));
  router.add(http::Method::get, "/swagger-ui/", http::Access::open,
             [index](http::Request& request) -> boost::asio::awaitable<http::Reply> {
               co_return serve_static(*index, request, kCacheControl);
             });

  auto assets =
      std::make_shared<const std::vector<std::pair<std::string, StaticFile>>>(static_files_under("swagger-ui/"));
  router.add(http::Method::get, "/swagger-ui/{file}", http::Access::open,
             [assets](http::Request& request) -> boost::asio::awaitable<http::Reply> {
               const auto& wanted = request.param("file");
               for (const auto& [name, file] : *assets) {
                 if (name == wanted) co_return serve_static(file, request, kCacheControl);
               }
               co_return Error::not_found(fmt::format("no file named '{}'", wanted));
             });
}

}  // namespace modu::api

#include "api/common_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace modu::api {
namespace {

boost::json::object entry(std::string_view key, boost::json::value value) {
  return {{"key", key}, {"value", std::move(value)}};
}

}  // namespace

void add_common_routes(http::Router& router, const common::CommonData& common) {
  router.add(http::Method::get, "/api/v1/common", http::Access::open,
             [&common](http::Request&) -> boost::asio::awaitable<http::Reply> {
               boost::json::array items;
               for (auto& [key, value] : common.all()) items.push_back(entry(key, std::move(value)));
               co_return http::Response::json(200, {{"items", std::move(items)}, {"nextCursor", nullptr}});
             });

  router.add(http::Method::get, "/api/v1/common/{key}", http::Access::open,
             [&common](http::Request& request) -> boost::asio::awaitable<http::Reply> {
               const auto& key = request.param("key");
               auto value = common.get(key);
               if (!value) co_return value.error();
               co_return http::Response::json(200, entry(key, std::move(*value)));
             });
}

}  // namespace modu::api

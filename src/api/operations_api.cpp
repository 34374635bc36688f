#include "api/operations_api.hpp"

#include <spdlog/spdlog.h>

namespace modu::api {

void add_operations_routes(http::Router& router, storage::Database& database, WorkerPool& workers,
                           const obs::Metrics& metrics) {
  router.add(http::Method::get, "/healthz", http::Access::open,
             [](http::Request&) -> boost::asio::awaitable<http::Reply> {
               co_return http::Response::json(200, {{"status", "UP"}});
             });

  router.add(http::Method::get, "/readyz", http::Access::open,
             [&database, &workers](http::Request&) -> boost::asio::awaitable<http::Reply> {
               std::string failure;
               try {
                 co_await workers.run([&database] { database.ping(); });
               } catch (const std::exception& e) {
                 failure = e.what();
               }
               if (!failure.empty()) {
                 spdlog::warn("readiness: database unreachable: {}", failure);
                 co_return http::Response::json(503, {{"status", "DOWN"}, {"checks", {{"database", "DOWN"}}}});
               }
               co_return http::Response::json(200, {{"status", "UP"}, {"checks", {{"database", "UP"}}}});
             });

  router.add(http::Method::get, "/metrics", http::Access::open,
             [&metrics](http::Request&) -> boost::asio::awaitable<http::Reply> {
               http::Response response;
               response.content_type = "text/plain; version=0.0.4; charset=utf-8";
               response.body = metrics.render();
               co_return response;
             });
}

}  // namespace modu::api

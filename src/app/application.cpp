#include "app/application.hpp"

#include "api/common_api.hpp"
#include "api/docs_api.hpp"
#include "api/operations_api.hpp"
#include "core/time_format.hpp"
#include "http/server.hpp"
#include "http/standard_middleware.hpp"
#include "obs/logging.hpp"
#include "storage/migrations.hpp"

#include <boost/json/object.hpp>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

namespace modu::app {
namespace {

void fill_common_data(common::CommonData& common, const Config& config, std::shared_ptr<Clock> clock) {
  const auto started = clock->now();
  common.add("version", boost::json::object{{"name", "modu"}, {"version", MODU_VERSION}, {"api", "v1"}});
  common.add("time", [clock] {
    const auto now = clock->now();
    return boost::json::value{{"epochMillis", epoch_millis(now)}, {"iso", format_iso8601(now)}};
  });
  common.add("health", [clock, started] {
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(clock->now() - started).count();
    return boost::json::value{{"status", "UP"}, {"startedAt", format_iso8601(started)}, {"uptimeSeconds", uptime}};
  });
  common.add("limits", boost::json::object{{"bodyLimitBytes", config.server.body_limit_bytes}});
}

/// Sockets are files: take the hard limit, and say how many connections that allows.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  spdlog::info("open-file limit {}: room for about {} connections", limit.rlim_cur,
               limit.rlim_cur > 100 ? limit.rlim_cur - 100 : 0);
}

}  // namespace

Application::Application(Config config, std::shared_ptr<Clock> clock)
    : config_(std::move(config)), clock_(std::move(clock)) {
  workers_ = std::make_unique<WorkerPool>(config_.storage.worker_threads);
  database_ = std::make_unique<storage::Database>(config_.storage);
  const auto report = storage::migrate(*database_);
  spdlog::info("database {} at schema version {}", database_->display_url(), report.to_version);
  fill_common_data(common_, config_, clock_);

  http::Router router;
  api::add_operations_routes(router, *database_, *workers_, metrics_);
  api::add_docs_routes(router);
  api::add_common_routes(router, common_);

  std::vector<std::unique_ptr<http::Middleware>> middleware;
  middleware.push_back(std::make_unique<http::RequestIdMiddleware>());
  middleware.push_back(std::make_unique<http::ObservabilityMiddleware>(metrics_, obs::access_logger()));
  middleware.push_back(std::make_unique<http::CorsMiddleware>(config_.server.cors));
  pipeline_ = std::make_unique<http::Pipeline>(std::move(router), std::move(middleware));
}

Application::~Application() = default;

int Application::serve() {
  raise_file_limit();
  http::Server server(config_.server, *pipeline_, metrics_);
  const auto port = server.listen();
  spdlog::info("modu {} ({} profile) listening on http://{}:{} with {} I/O threads", MODU_VERSION, config_.profile,
               config_.server.host, port, config_.server.io_threads);
  server.run();
  workers_->stop();
  spdlog::info("drained; bye");
  return 0;
}

}  // namespace modu::app

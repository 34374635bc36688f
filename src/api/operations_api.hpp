#pragma once

#include "core/worker_pool.hpp"
#include "http/router.hpp"
#include "obs/metrics.hpp"
#include "storage/database.hpp"

namespace modu::api {

/// GET /healthz (the process answers), /readyz (the database answers too) and
/// /metrics (Prometheus text).
void add_operations_routes(http::Router& router, storage::Database& database, WorkerPool& workers,
                           const obs::Metrics& metrics);

}  // namespace modu::api

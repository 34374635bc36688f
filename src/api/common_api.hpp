#pragma once

#include "domain/common/common_data.hpp"
#include "http/router.hpp"

namespace modu::api {

/// GET /api/v1/common and /api/v1/common/{key}.
void add_common_routes(http::Router& router, const common::CommonData& common);

}  // namespace modu::api

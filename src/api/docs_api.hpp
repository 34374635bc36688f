#pragma once

#include "http/router.hpp"

#include <boost/json/value.hpp>

#include <string_view>

namespace modu::api {

/// GET /v3/api-docs (the OpenAPI document as JSON) and Swagger UI at /swagger-ui/,
/// both from files built into the binary.
void add_docs_routes(http::Router& router);

/// The built-in openapi/openapi.yaml as JSON. Plain YAML scalars become numbers and
/// booleans where they read as such; quoted ones stay strings.
boost::json::value openapi_document();

}  // namespace modu::api

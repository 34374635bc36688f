#pragma once

#include "app/config.hpp"

#include <spdlog/spdlog.h>

#include <memory>

namespace modu::obs {

/// Sets up the default logger ("modu") and the access logger ("access") on stdout.
/// In json format every line is one JSON object: {"ts","level","logger","msg"}; the
/// access logger's messages are already JSON fields and are merged into that object.
void init_logging(const LogConfig& config);

/// The access logger; null when access logging is off.
std::shared_ptr<spdlog::logger> access_logger();

}  // namespace modu::obs

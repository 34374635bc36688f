#pragma once

#include <chrono>
#include <string>

namespace modu {

/// ISO-8601 in UTC with milliseconds, as every time on the wire: 2026-11-25T13:25:15.123Z
std::string format_iso8601(std::chrono::system_clock::time_point time);

std::int64_t epoch_millis(std::chrono::system_clock::time_point time);

}  // namespace modu

#include "core/errors.hpp"

#include <array>

namespace modu {
namespace {

constexpr std::array kTable{
    ErrcInfo{400, "BAD_REQUEST"},             // bad_request
    ErrcInfo{400, "MALFORMED_JSON"},          // malformed_json
    ErrcInfo{400, "VALIDATION_FAILED"},       // validation_failed
    ErrcInfo{401, "UNAUTHORIZED"},            // unauthorized
    ErrcInfo{403, "FORBIDDEN"},               // forbidden
    ErrcInfo{404, "NOT_FOUND"},               // not_found
    ErrcInfo{405, "METHOD_NOT_ALLOWED"},      // method_not_allowed
    ErrcInfo{409, "CONFLICT"},                // conflict
    ErrcInfo{413, "PAYLOAD_TOO_LARGE"},       // payload_too_large
    ErrcInfo{431, "HEADERS_TOO_LARGE"},       // headers_too_large
    ErrcInfo{408, "REQUEST_TIMEOUT"},         // request_timeout
    ErrcInfo{415, "UNSUPPORTED_MEDIA_TYPE"},  // unsupported_media_type
    ErrcInfo{429, "TOO_MANY_REQUESTS"},       // too_many_requests
    ErrcInfo{426, "UPGRADE_REQUIRED"},        // upgrade_required
    ErrcInfo{503, "SERVICE_UNAVAILABLE"},     // unavailable
    ErrcInfo{500, "INTERNAL_ERROR"},          // internal
};
static_assert(kTable.size() == static_cast<std::size_t>(Errc::internal) + 1, "every Errc needs a row in the table");

}  // namespace

const ErrcInfo& describe(Errc errc) {
  const auto index = static_cast<std::size_t>(errc);
  return index < kTable.size() ? kTable[index] : kTable.back();
}

void throw_exception_from_error(const Error& error, const boost::source_location&) { throw ErrorException(error); }

}  // namespace modu

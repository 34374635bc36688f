#include "ws/stomp/version.hpp"

#include "core/text.hpp"

namespace modu::stomp {

Result<std::string_view> negotiate_version(std::optional<std::string_view> accept_version) {
  // The grammar has no spaces, but "1.1, 1.2" is an easy slip to forgive.
  for (std::string_view version : {"1.2", "1.1"}) {
    if (accept_version && list_contains(*accept_version, version)) return version;
  }
  return Error::bad_request("supported protocol versions are 1.1 and 1.2");
}

}  // namespace modu::stomp

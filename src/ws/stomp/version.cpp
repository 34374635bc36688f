#include "ws/stomp/version.hpp"

namespace modu::stomp {

Result<std::string_view> negotiate_version(std::optional<std::string_view> accept_version) {
  bool has_1_1 = false;
  if (accept_version) {
    std::string_view rest = *accept_version;
    for (;;) {
      const auto comma = rest.find(',');
      auto version = rest.substr(0, comma);
      // The grammar has no spaces, but "1.1, 1.2" is an easy slip to forgive.
      while (!version.empty() && version.front() == ' ') version.remove_prefix(1);
      while (!version.empty() && version.back() == ' ') version.remove_suffix(1);
      if (version == "1.2") return std::string_view("1.2");
      has_1_1 = has_1_1 || version == "1.1";
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (has_1_1) return std::string_view("1.1");
  return Error::bad_request("supported protocol versions are 1.1 and 1.2");
}

}  // namespace modu::stomp

#pragma once

#include "http/message.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace modu::http {

/// The request body as a JSON object: 415 for another content type, MALFORMED_JSON for
/// text that is not JSON, VALIDATION_FAILED for JSON that is not an object.
Result<boost::json::object> read_json_object(const Request& request);
/// The same for a body that came another way (a STOMP frame).
Result<boost::json::object> parse_json_object(std::string_view text);

/// Typed access to a JSON object's fields, each failure a VALIDATION_FAILED error
/// naming the field: "field 'email' must be a string".
class Fields {
 public:
  explicit Fields(const boost::json::object& object) : object_(object) {}

  Result<std::string> required_string(std::string_view name) const;
  Result<std::optional<std::string>> optional_string(std::string_view name) const;
  Result<std::int64_t> required_int(std::string_view name) const;
  Result<std::optional<std::int64_t>> optional_int(std::string_view name) const;
  Result<std::optional<bool>> optional_bool(std::string_view name) const;
  /// Absent: nullopt. Present as null: an empty inner optional (clear the value).
  Result<std::optional<std::optional<std::string>>> nullable_string(std::string_view name) const;

 private:
  const boost::json::object& object_;
};

}  // namespace modu::http

#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace modu {

/// Every foreseeable failure a client can cause or meet. Transports map each one
/// through `describe()` (HTTP status and code string) and never invent their own.
enum class Errc {
  bad_request,        ///< the request itself is malformed (HTTP syntax, query string)
  malformed_json,     ///< the body is not JSON
  validation_failed,  ///< JSON, but a field is missing, of the wrong type or out of range
  unauthorized,       ///< no valid credentials
  forbidden,          ///< valid credentials, but not allowed
  not_found,
  method_not_allowed,
  conflict,
  payload_too_large,
  headers_too_large,
  request_timeout,  ///< a request began but did not arrive whole in time
  unsupported_media_type,
  too_many_requests,
  upgrade_required,  ///< a WebSocket endpoint asked without the upgrade
  unavailable,       ///< a dependency (the database) cannot be reached
  internal,          ///< a bug or broken infrastructure; the details go to the log only
};

/// How a failure reads on the wire.
struct ErrcInfo {
  int http_status;
  std::string_view code;  ///< SNAKE_CASE, stable: clients switch on it
};

/// The one mapping table. Total: every enumerator has an entry (checked by a unit test).
const ErrcInfo& describe(Errc errc);

/// A failure as a value: what went wrong, and a message for the person reading it.
struct Error {
  Errc errc;
  std::string message;
  int retry_after_seconds = 0;  ///< for too_many_requests: when to try again

  static Error bad_request(std::string message) { return {Errc::bad_request, std::move(message)}; }
  static Error validation(std::string message) { return {Errc::validation_failed, std::move(message)}; }
  static Error not_found(std::string message) { return {Errc::not_found, std::move(message)}; }
  static Error internal() { return {Errc::internal, "Internal server error"}; }
};

/// Thrown only where a Result's error is read as a value by mistake: a bug.
class ErrorException : public std::exception {
 public:
  explicit ErrorException(Error error) : error_(std::move(error)) {}
  const char* what() const noexcept override { return error_.message.c_str(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
};

[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location&);

/// The result of an operation that can fail foreseeably.
template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace modu

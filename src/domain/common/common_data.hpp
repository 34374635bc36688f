#pragma once

#include "core/errors.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace modu::common {

/// The seed's "common data": key-value data with nothing to do with the domain
/// (server version, server time for clock sync, health), made at start-up or on
/// request and held in memory — never read from a database, so it answers even when
/// the database does not.
/// @par Thread safety
/// Entries are added before serving; reads may run on any thread.
class CommonData {
 public:
  using Producer = std::function<boost::json::value()>;

  /// A value fixed at start-up.
  void add(std::string key, boost::json::value value);
  /// A value made anew on every request (the time).
  void add(std::string key, Producer producer);

  /// NOT_FOUND for a key that is not there.
  Result<boost::json::value> get(std::string_view key) const;

  /// Every entry, in the order added.
  std::vector<std::pair<std::string, boost::json::value>> all() const;

 private:
  std::vector<std::pair<std::string, Producer>> entries_;
};

}  // namespace modu::common

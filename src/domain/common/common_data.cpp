#include "domain/common/common_data.hpp"

#include <fmt/format.h>

namespace modu::common {

void CommonData::add(std::string key, boost::json::value value) {
  entries_.emplace_back(std::move(key), [value = std::move(value)] { return value; });
}

void CommonData::add(std::string key, Producer producer) { entries_.emplace_back(std::move(key), std::move(producer)); }

Result<boost::json::value> CommonData::get(std::string_view key) const {
  for (const auto& [name, produce] : entries_) {
    if (name == key) return produce();
  }
  return Error::not_found(fmt::format("no common data named '{}'", key));
}

std::vector<std::pair<std::string, boost::json::value>> CommonData::all() const {
  std::vector<std::pair<std::string, boost::json::value>> values;
  for (const auto& [name, produce] : entries_) values.emplace_back(name, produce());
  return values;
}

}  // namespace modu::common

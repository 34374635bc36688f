#pragma once

#include <soci/soci.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace modu::storage {

using TimePoint = std::chrono::system_clock::time_point;

/// Times are stored as UTC milliseconds since the epoch on every engine.
inline long long to_millis(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}
inline TimePoint from_millis(long long millis) { return TimePoint(std::chrono::milliseconds(millis)); }

/// Reads a SOCI row's columns in order. SQLite and MySQL report integer columns with
/// different SOCI types (int, long long, unsigned), so numbers are read by what the
/// row says they are.
class RowReader {
 public:
  explicit RowReader(const soci::row& row) : row_(row) {}

  long long integer() {
    const auto index = next_++;
    switch (row_.get_properties(index).get_data_type()) {
      case soci::dt_integer:
        return row_.get<int>(index);
      case soci::dt_long_long:
        return row_.get<long long>(index);
      case soci::dt_unsigned_long_long:
        return static_cast<long long>(row_.get<unsigned long long>(index));
      case soci::dt_double:
        return static_cast<long long>(row_.get<double>(index));
      default:
        return std::stoll(row_.get<std::string>(index));
    }
  }
  bool boolean() { return integer() != 0; }
  TimePoint time() { return from_millis(integer()); }
  std::string text() { return row_.get<std::string>(next_++); }
  std::optional<std::string> optional_text() {
    const auto index = next_++;
    if (row_.get_indicator(index) == soci::i_null) return std::nullopt;
    return row_.get<std::string>(index);
  }
  std::optional<long long> optional_integer() {
    if (row_.get_indicator(next_) == soci::i_null) {
      ++next_;
      return std::nullopt;
    }
    return integer();
  }

 private:
  const soci::row& row_;
  std::size_t next_ = 0;
};

/// The one number a statement like `SELECT COUNT(*) ...` answers, its parameters bound
/// in order.
template <class... Values>
long long count(soci::session& sql, std::string_view query, const Values&... values) {
  long long n = 0;
  {
    auto statement = (sql << query);  // runs when the last copy goes, at the end of this block
    ((statement, soci::use(values)), ...);
    statement, soci::into(n);
  }
  return n;
}

/// "(:p0, :p1, ...)" for an IN list of `count` values; bind each with soci::use in order.
inline std::string in_list(std::size_t count) {
  std::string list = "(";
  for (std::size_t i = 0; i < count; ++i) list += (i ? ", :p" : ":p") + std::to_string(i);
  return list + ")";
}

/// An optional text as a nullable parameter: `soci::use(text.value, text.indicator)`.
/// Bind the members at the statement itself: a `soci::use(...)` returned from a helper
/// keeps a reference to a temporary and dangles.
struct NullableText {
  explicit NullableText(const std::optional<std::string>& text)
      : value(text.value_or("")), indicator(text ? soci::i_ok : soci::i_null) {}
  std::string value;
  soci::indicator indicator;
};

}  // namespace modu::storage

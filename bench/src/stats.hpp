#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace modu::bench {

/// Latencies of one run, every sample kept (4 bytes each: a million samples are 4 MB),
/// so percentiles are exact instead of read off histogram buckets.
/// @par Thread safety
/// None: keep one per thread and merge them at the end.
class LatencySamples {
 public:
  void add(std::chrono::nanoseconds latency) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
    micros_.push_back(static_cast<std::uint32_t>(std::clamp<std::int64_t>(micros, 0, UINT32_MAX)));
    sorted_ = false;
  }

  void merge(const LatencySamples& other) {
    micros_.insert(micros_.end(), other.micros_.begin(), other.micros_.end());
    sorted_ = false;
  }

  std::size_t size() const { return micros_.size(); }

  /// The q-quantile (0 < q <= 1) by nearest rank: the smallest sample that at least
  /// q of all samples do not exceed. Zero when there are none.
  std::chrono::microseconds percentile(double q) {
    if (micros_.empty()) return {};
    sort();
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(micros_.size())));
    return std::chrono::microseconds(micros_[std::clamp<std::size_t>(rank, 1, micros_.size()) - 1]);
  }

  std::chrono::microseconds max() { return percentile(1.0); }

 private:
  void sort() {
    if (!sorted_) std::sort(micros_.begin(), micros_.end());
    sorted_ = true;
  }

  std::vector<std::uint32_t> micros_;
  bool sorted_ = true;
};

/// 1234567 -> "1,234,567": rates are read by people first.
inline std::string with_commas(std::uint64_t value) {
  const auto digits = std::to_string(value);
  std::string text;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text;
}

/// Milliseconds with two decimals: "0.85 ms", "112.40 ms".
inline std::string format_ms(std::chrono::microseconds value) {
  return fmt::format("{:.2f} ms", static_cast<double>(value.count()) / 1000.0);
}

}  // namespace modu::bench

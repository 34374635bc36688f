#pragma once

#include "core/text.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace modu::obs {

/// The server's Prometheus metrics: requests by route, method and status, a latency
/// histogram by route, and open connections. Written by hand rather than taken from a
/// library because Debian packages no Prometheus client for C++ and this is all we need.
///
/// Recording is on every request's path, so each I/O thread records into a shard of its
/// own (an uncontended lock); a scrape sums the shards.
/// @par Thread safety
/// All members may be called from any thread.
class Metrics {
 public:
  /// Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  /// `route` is the matched pattern ("/api/v1/common/{key}"), never the raw path, so
  /// that the number of series stays bounded.
  void record_request(std::string_view method, std::string_view route, int status, double seconds);

  void connection_opened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }

  /// The Prometheus text exposition format (version 0.0.4).
  std::string render() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  /// One request series. Stored with owned strings; looked up with views, so that
  /// recording a request that was seen before allocates nothing.
  template <class Text>
  struct BasicSeries {
    Text method;
    Text route;
    int status;
  };
  using Series = BasicSeries<std::string>;
  using SeriesView = BasicSeries<std::string_view>;
  struct SeriesHash {
    using is_transparent = void;
    template <class Text>
    std::size_t operator()(const BasicSeries<Text>& s) const {
      const std::hash<std::string_view> hash;
      return hash(s.route) * 31 + hash(s.method) * 7 + static_cast<std::size_t>(s.status);
    }
  };
  struct SeriesEqual {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const BasicSeries<A>& a, const BasicSeries<B>& b) const {
      return a.status == b.status && std::string_view(a.route) == std::string_view(b.route) &&
             std::string_view(a.method) == std::string_view(b.method);
    }
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Series, std::uint64_t, SeriesHash, SeriesEqual> requests;
    std::unordered_map<std::string, Histogram, TextHash, std::equal_to<>> latency;  ///< by route
  };

  Shard& local_shard();

  mutable std::mutex shards_mutex_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::int64_t> open_connections_{0};
  /// Names this instance in threads' shard tables; unlike `this`, never reused.
  const std::uint64_t instance_ = next_instance_.fetch_add(1);
  static inline std::atomic<std::uint64_t> next_instance_{1};
};

}  // namespace modu::obs

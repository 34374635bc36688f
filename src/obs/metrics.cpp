#include "obs/metrics.hpp"

#include <fmt/format.h>

#include <map>
#include <tuple>

namespace modu::obs {
namespace {

std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Metrics::Shard& Metrics::local_shard() {
  // A thread records into the shard it was given first; shards live as long as `this`.
  thread_local std::unordered_map<std::uint64_t, Shard*> mine;
  auto& shard = mine[instance_];
  if (!shard) {
    std::lock_guard lock(shards_mutex_);
    shards_.push_back(std::make_unique<Shard>());
    shard = shards_.back().get();
  }
  return *shard;
}

void Metrics::record_request(std::string_view method, std::string_view route, int status, double seconds) {
  auto& shard = local_shard();
  std::lock_guard lock(shard.mutex);
  auto series = shard.requests.find(SeriesView{method, route, status});
  if (series == shard.requests.end()) {
    series = shard.requests.emplace(Series{std::string(method), std::string(route), status}, 0).first;
  }
  ++series->second;
  auto histogram = shard.latency.find(route);
  if (histogram == shard.latency.end()) histogram = shard.latency.emplace(std::string(route), Histogram{}).first;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++histogram->second.buckets[i];
  }
  ++histogram->second.count;
  histogram->second.sum += seconds;
}

std::string Metrics::render() const {
  // Sorted, so that scrapes read the same way each time.
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests;  // route, method, status
  std::map<std::string, Histogram> latency;
  {
    std::lock_guard lock(shards_mutex_);
    for (const auto& shard : shards_) {
      std::lock_guard shard_lock(shard->mutex);
      for (const auto& [series, count] : shard->requests) {
        requests[{series.route, series.method, series.status}] += count;
      }
      for (const auto& [route, histogram] : shard->latency) {
        auto& total = latency[route];
        for (std::size_t i = 0; i < kBuckets.size(); ++i) total.buckets[i] += histogram.buckets[i];
        total.count += histogram.count;
        total.sum += histogram.sum;
      }
    }
  }

  std::string out;
  auto line = std::back_inserter(out);
  fmt::format_to(line,
                 "# HELP modu_http_requests_total HTTP requests answered, by route and status.\n"
                 "# TYPE modu_http_requests_total counter\n");
  for (const auto& [series, count] : requests) {
    const auto& [route, method, status] = series;
    fmt::format_to(line, "modu_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                   escape_label(method), escape_label(route), status, count);
  }
  fmt::format_to(line,
                 "# HELP modu_http_request_duration_seconds Time from a request's arrival to its response.\n"
                 "# TYPE modu_http_request_duration_seconds histogram\n");
  for (const auto& [route, histogram] : latency) {
    const auto label = escape_label(route);
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      fmt::format_to(line, "modu_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label,
                     kBuckets[i], histogram.buckets[i]);
    }
    fmt::format_to(line, "modu_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label,
                   histogram.count);
    fmt::format_to(line, "modu_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label, histogram.sum);
    fmt::format_to(line, "modu_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, histogram.count);
  }
  fmt::format_to(line,
                 "# HELP modu_http_open_connections HTTP connections open now.\n"
                 "# TYPE modu_http_open_connections gauge\n"
                 "modu_http_open_connections {}\n",
                 open_connections());
  return out;
}

}  // namespace modu::obs

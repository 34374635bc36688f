#include "obs/metrics.hpp"

#include <fmt/format.h>

#include <map>

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
  std::string key;
  key.reserve(method.size() + route.size() + 5);
  key.append(method).append(1, '\0').append(route).append(1, '\0').append(std::to_string(status));
  auto& shard = local_shard();
  std::lock_guard lock(shard.mutex);
  ++shard.requests[key];
  auto& histogram = shard.latency[std::string(route)];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++histogram.buckets[i];
  }
  ++histogram.count;
  histogram.sum += seconds;
}

std::string Metrics::render() const {
  std::map<std::string, std::uint64_t> requests;  // sorted, so scrapes read the same way each time
  std::map<std::string, Histogram> latency;
  {
    std::lock_guard lock(shards_mutex_);
    for (const auto& shard : shards_) {
      std::lock_guard shard_lock(shard->mutex);
      for (const auto& [key, count] : shard->requests) requests[key] += count;
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
  fmt::format_to(line, "# HELP modu_http_requests_total HTTP requests answered, by route and status.\n"
                       "# TYPE modu_http_requests_total counter\n");
  for (const auto& [key, count] : requests) {
    const auto first = key.find('\0');
    const auto second = key.find('\0', first + 1);
    fmt::format_to(line, "modu_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                   escape_label(key.substr(0, first)), escape_label(key.substr(first + 1, second - first - 1)),
                   key.substr(second + 1), count);
  }
  fmt::format_to(line, "# HELP modu_http_request_duration_seconds Time from a request's arrival to its response.\n"
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
  fmt::format_to(line, "# HELP modu_http_open_connections HTTP connections open now.\n"
                       "# TYPE modu_http_open_connections gauge\n"
                       "modu_http_open_connections {}\n",
                 open_connections());
  return out;
}

}  // namespace modu::obs

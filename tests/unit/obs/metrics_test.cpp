#include "obs/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace modu::obs {
namespace {

TEST(Metrics, RendersCountersHistogramsAndTheGaugeInPrometheusFormat) {
  Metrics metrics;
  metrics.record_request("GET", "/api/v1/common/{key}", 200, 0.0004);
  metrics.record_request("GET", "/api/v1/common/{key}", 200, 0.02);
  metrics.record_request("GET", "/api/v1/common/{key}", 404, 0.001);
  metrics.connection_opened();
  metrics.connection_opened();
  metrics.connection_closed();
  const auto text = metrics.render();
  EXPECT_NE(text.find("# TYPE modu_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find(R"(modu_http_requests_total{method="GET",route="/api/v1/common/{key}",status="200"} 2)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(modu_http_request_duration_seconds_bucket{route="/api/v1/common/{key}",le="0.0005"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(modu_http_request_duration_seconds_bucket{route="/api/v1/common/{key}",le="0.025"} 3)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(modu_http_request_duration_seconds_count{route="/api/v1/common/{key}"} 3)"),
            std::string::npos);
  EXPECT_NE(text.find("modu_http_open_connections 1\n"), std::string::npos);
}

TEST(Metrics, SumsWhatManyThreadsRecord) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) metrics.record_request("GET", "/x", 200, 0.001);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_NE(metrics.render().find(R"(modu_http_requests_total{method="GET",route="/x",status="200"} 4000)"),
            std::string::npos);
}

TEST(Metrics, EscapesLabelValues) {
  Metrics metrics;
  metrics.record_request("GET", "/a\"b\\c", 200, 0.001);
  EXPECT_NE(metrics.render().find(R"(route="/a\"b\\c")"), std::string::npos);
}

}  // namespace
}  // namespace modu::obs

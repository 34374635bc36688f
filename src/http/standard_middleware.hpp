#pragma once

#include "app/config.hpp"
#include "http/middleware.hpp"
#include "obs/metrics.hpp"

#include <spdlog/logger.h>

#include <memory>

namespace modu::http {

/// Gives every request an id (the client's `X-Request-Id` when it is sane, else a new
/// one), used in error bodies and logs and echoed in the response.
class RequestIdMiddleware final : public Middleware {
 public:
  std::optional<Reply> on_request(Request& request) override;
  void on_response(const Request& request, Response& response) override;
};

/// Cross-origin requests from the configured origins: answers preflights and adds the
/// `Access-Control-*` headers. Same-origin requests pass untouched.
class CorsMiddleware final : public Middleware {
 public:
  explicit CorsMiddleware(CorsConfig config) : config_(std::move(config)) {}
  std::optional<Reply> on_request(Request& request) override;
  void on_response(const Request& request, Response& response) override;

 private:
  bool allowed(std::string_view origin) const;
  CorsConfig config_;
};

/// Metrics for every request and, when a logger is given, one access-log line.
class ObservabilityMiddleware final : public Middleware {
 public:
  ObservabilityMiddleware(obs::Metrics& metrics, std::shared_ptr<spdlog::logger> access_log)
      : metrics_(metrics), access_log_(std::move(access_log)) {}
  void on_response(const Request& request, Response& response) override;

 private:
  obs::Metrics& metrics_;
  std::shared_ptr<spdlog::logger> access_log_;
};

}  // namespace modu::http

#pragma once

// The whole application in process, on SQLite or MariaDB, with a clock the test moves,
// and a small client that calls it as a member would.

#include "app/application.hpp"
#include "support/databases.hpp"
#include "support/in_process.hpp"

#include <boost/json/serialize.hpp>

namespace modu::testing {

inline const auto kTestStart = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795613705895));

struct Reply {
  int status;
  boost::json::value json;
  http::Response raw;
  std::string code() const {
    return json.is_object() && json.as_object().contains("code") ? std::string(json.at("code").as_string()) : "";
  }
};

class ApiClient {
 public:
  ApiClient(const http::Pipeline& pipeline, std::string client_address = "127.0.0.1")
      : pipeline_(pipeline), client_address_(std::move(client_address)) {}

  Reply send(http::Method method, std::string target, const std::optional<boost::json::value>& body = std::nullopt,
             std::map<std::string, std::string> headers = {}) const {
    Call request{method, std::move(target), body ? boost::json::serialize(*body) : "", std::move(headers)};
    if (body) request.headers.emplace("content-type", "application/json");
    if (!token.empty()) request.headers.emplace("authorization", "Bearer " + token);
    auto response = call(pipeline_, request);
    Reply reply{response.status, nullptr, response};
    if (!response.payload().empty() && response.content_type == "application/json") {
      reply.json = boost::json::parse(response.payload());
    }
    return reply;
  }
  Reply get(std::string target) const { return send(http::Method::get, std::move(target)); }
  Reply post(std::string target, boost::json::value body) const {
    return send(http::Method::post, std::move(target), std::move(body));
  }
  Reply patch(std::string target, boost::json::value body) const {
    return send(http::Method::patch, std::move(target), std::move(body));
  }
  Reply del(std::string target) const { return send(http::Method::delete_, std::move(target)); }

  /// Signs up and logs in; keeps the tokens. Returns the member id.
  std::int64_t join(const std::string& email, const std::string& nickname,
                    const std::string& password = "correct horse") {
    auto signed_up = post("/api/v1/auth/signup", {{"email", email}, {"password", password}, {"nickname", nickname}});
    if (signed_up.status != 201) throw std::runtime_error("sign-up failed: " + boost::json::serialize(signed_up.json));
    log_in(email, password);
    return signed_up.json.at("id").as_int64();
  }
  Reply log_in(const std::string& email, const std::string& password) {
    auto reply = post("/api/v1/auth/login", {{"email", email}, {"password", password}});
    if (reply.status == 200) {
      token = std::string(reply.json.at("accessToken").as_string());
      refresh_token = std::string(reply.json.at("refreshToken").as_string());
    }
    return reply;
  }

  std::string token;
  std::string refresh_token;

 private:
  const http::Pipeline& pipeline_;
  std::string client_address_;
};

/// A fresh application on a fresh database of the test's engine.
class AppFixture : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    MODU_REQUIRE_DATABASE(scratch_);
    ConfigSources sources;
    sources.profile = "test";
    sources.flags["storage.databaseUrl"] = scratch_.url();
    app_ = std::make_unique<app::Application>(load_config(sources), clock_);
  }
  const http::Pipeline& pipeline() const { return app_->pipeline(); }
  ApiClient client() const { return ApiClient(pipeline()); }

  ScratchDatabase scratch_{GetParam()};
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kTestStart);
  std::unique_ptr<app::Application> app_;
};

}  // namespace modu::testing

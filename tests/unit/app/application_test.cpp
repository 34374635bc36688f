#include "app/application.hpp"

#include "api/docs_api.hpp"
#include "support/in_process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

namespace modu::app {
namespace {

using testing::get;
using testing::header_of;
using testing::json_of;

const auto kStart = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795613705895));

class ApplicationTest : public ::testing::Test {
 protected:
  static Config test_config() {
    ConfigSources sources;
    sources.profile = "test";
    sources.flags["storage.dataDir"] =
        (std::filesystem::temp_directory_path() / ("modu-app-test-" + std::to_string(::getpid()))).string();
    return load_config(sources);
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
  Application application_{test_config(), clock_};
};

TEST_F(ApplicationTest, CommonTimeComesFromTheClock) {
  auto response = get(application_.pipeline(), "/api/v1/common/time");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(json_of(response),
            (boost::json::value{{"key", "time"},
                                {"value", {{"epochMillis", 1795613705895}, {"iso", "2026-11-25T13:35:05.895Z"}}}}));
  clock_->advance(std::chrono::seconds(90));
  EXPECT_EQ(json_of(get(application_.pipeline(), "/api/v1/common/time")).at("value").at("epochMillis"), 1795613795895);
  EXPECT_EQ(json_of(get(application_.pipeline(), "/api/v1/common/health")).at("value").at("uptimeSeconds"), 90);
}

TEST_F(ApplicationTest, CommonListsEveryKeyAndRefusesUnknownOnes) {
  auto list = json_of(get(application_.pipeline(), "/api/v1/common"));
  std::set<std::string> keys;
  for (const auto& item : list.at("items").as_array()) keys.insert(std::string(item.at("key").as_string()));
  EXPECT_EQ(keys, (std::set<std::string>{"version", "time", "health", "limits"}));
  EXPECT_TRUE(list.at("nextCursor").is_null());

  EXPECT_EQ(json_of(get(application_.pipeline(), "/api/v1/common/version")).at("value").at("version"), MODU_VERSION);
  auto missing = get(application_.pipeline(), "/api/v1/common/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json_of(missing).at("code"), "NOT_FOUND");
}

TEST_F(ApplicationTest, OperationsEndpoints) {
  EXPECT_EQ(json_of(get(application_.pipeline(), "/healthz")).at("status"), "UP");
  EXPECT_EQ(json_of(get(application_.pipeline(), "/readyz")).at("checks").at("database"), "UP");
  auto metrics = get(application_.pipeline(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("modu_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.content_type.find("text/plain"), std::string::npos);
}

TEST_F(ApplicationTest, SwaggerUiAndTheDocumentAreServed) {
  auto page = get(application_.pipeline(), "/swagger-ui/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.payload().find("/v3/api-docs"), std::string_view::npos);
  auto bundle = get(application_.pipeline(), "/swagger-ui/swagger-ui-bundle.js");
  EXPECT_EQ(bundle.status, 200);
  EXPECT_GT(bundle.payload().size(), 100000u);
  auto etag = header_of(bundle, "ETag");
  ASSERT_TRUE(etag);
  auto again = testing::call(application_.pipeline(),
                             {http::Method::get, "/swagger-ui/swagger-ui-bundle.js", "", {{"if-none-match", *etag}}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.payload().empty());
  EXPECT_EQ(get(application_.pipeline(), "/swagger-ui/nothing.js").status, 404);
  EXPECT_EQ(header_of(get(application_.pipeline(), "/swagger-ui"), "Location"), "/swagger-ui/");

  auto document = json_of(get(application_.pipeline(), "/v3/api-docs"));
  EXPECT_EQ(document.at("openapi"), "3.1.0");
  EXPECT_TRUE(document.at("paths").as_object().contains("/api/v1/common/{key}"));
}

/// A proxy that drops the upgrade headers turns a WebSocket open into a plain GET: the
/// client hears that the path wants an upgrade, not that it does not exist.
TEST_F(ApplicationTest, AGetOfTheWebSocketPathWithoutAnUpgradeIsToldToUpgrade) {
  auto plain = get(application_.pipeline(), "/ws");
  EXPECT_EQ(plain.status, 426);
  EXPECT_EQ(header_of(plain, "Upgrade"), "websocket");
  EXPECT_EQ(json_of(plain).at("code"), "UPGRADE_REQUIRED");
}

/// The document is the contract: it lists exactly the routes the server registers.
TEST_F(ApplicationTest, OpenApiPathsAreExactlyTheRegisteredRoutes) {
  std::set<std::string> registered;
  for (const auto* route : application_.pipeline().router().routes()) {
    std::string method(http::method_name(route->method));
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    registered.insert(method + " " + route->pattern);
  }
  std::set<std::string> documented;
  const auto document = api::openapi_document();
  for (const auto& [path, operations] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : operations.as_object()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      documented.insert(std::string(method) + " " + std::string(path));
    }
  }
  EXPECT_EQ(registered, documented);
}

}  // namespace
}  // namespace modu::app

// The web client's files as the router serves them: the page, its assets, validators.
#include "api/web_api.hpp"

#include "http/pipeline.hpp"
#include "support/in_process.hpp"

#include <gtest/gtest.h>

namespace modu::api {
namespace {

using testing::get;
using testing::header_of;

class WebApiTest : public ::testing::Test {
 protected:
  static http::Pipeline make_pipeline() {
    http::Router router;
    add_web_routes(router);
    return http::Pipeline(std::move(router), {});
  }
  http::Pipeline pipeline_ = make_pipeline();
};

TEST_F(WebApiTest, ThePageLoadsItsScriptsFromAssets) {
  auto page = get(pipeline_, "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(header_of(page, "Cache-Control"), "no-cache");
  EXPECT_TRUE(header_of(page, "Content-Security-Policy"));
  for (auto asset : {"/assets/app.js", "/assets/app.css", "/assets/stomp.umd.min.js"}) {
    EXPECT_NE(page.payload().find(asset), std::string_view::npos) << asset;
  }
}

TEST_F(WebApiTest, AssetsHaveTheirTypesAndRevalidateWithTheirETag) {
  auto script = get(pipeline_, "/assets/app.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(get(pipeline_, "/assets/app.css").content_type, "text/css; charset=utf-8");
  auto stomp = get(pipeline_, "/assets/stomp.umd.min.js");
  ASSERT_EQ(stomp.status, 200);
  EXPECT_NE(stomp.payload().find("StompJs"), std::string_view::npos);

  auto etag = header_of(script, "ETag");
  ASSERT_TRUE(etag);
  auto again = testing::call(pipeline_, {http::Method::get, "/assets/app.js", "", {{"if-none-match", *etag}}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.payload().empty());
  EXPECT_EQ(header_of(again, "ETag"), etag);
  // A cache that keeps a weak tag, or several versions, revalidates as well.
  for (const auto& tags : {"W/" + *etag, "\"older\", " + *etag, std::string("*")}) {
    EXPECT_EQ(testing::call(pipeline_, {http::Method::get, "/assets/app.js", "", {{"if-none-match", tags}}}).status,
              304)
        << tags;
  }
  EXPECT_EQ(
      testing::call(pipeline_, {http::Method::get, "/assets/app.js", "", {{"if-none-match", "\"older\""}}}).status,
      200);
}

TEST_F(WebApiTest, UnknownAssetsAndThePageUnderAssetsAreNotFound) {
  EXPECT_EQ(get(pipeline_, "/assets/nothing.js").status, 404);
  EXPECT_EQ(get(pipeline_, "/assets/index.html").status, 404);
  EXPECT_EQ(get(pipeline_, "/assets/").status, 404);
}

}  // namespace
}  // namespace modu::api

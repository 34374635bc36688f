#include "http/pipeline.hpp"

#include "http/json_body.hpp"
#include "http/standard_middleware.hpp"
#include "support/in_process.hpp"

#include <gtest/gtest.h>
#include <boost/json/object.hpp>

namespace modu::http {
namespace {

using testing::call;
using testing::header_of;
using testing::json_of;

/// A pipeline like the server's, with routes of the test's own that take JSON.
class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() {
    Router router;
    router.add(Method::post, "/echo/{name}", Access::open, [](Request& request) -> boost::asio::awaitable<Reply> {
      auto body = read_json_object(request);
      if (!body) co_return body.error();
      Fields fields(*body);
      auto text = fields.required_string("text");
      if (!text) co_return text.error();
      auto count = fields.optional_int("count");
      if (!count) co_return count.error();
      co_return Response::json(201, {{"name", request.param("name")}, {"text", *text}, {"count", count->value_or(1)}});
    });
    router.add(Method::get, "/boom", Access::open, [](Request&) -> boost::asio::awaitable<Reply> {
      throw std::runtime_error("a bug");
      co_return Response::no_content();
    });
    std::vector<std::unique_ptr<Middleware>> middleware;
    middleware.push_back(std::make_unique<RequestIdMiddleware>());
    middleware.push_back(std::make_unique<ObservabilityMiddleware>(metrics_, nullptr));
    middleware.push_back(std::make_unique<CorsMiddleware>(CorsConfig{{"https://app.example"}, 600}));
    pipeline_ = std::make_unique<Pipeline>(std::move(router), std::move(middleware));
  }

  Response post_echo(std::string body, std::string content_type = "application/json") {
    return call(*pipeline_, {Method::post, "/echo/x", std::move(body), {{"content-type", std::move(content_type)}}});
  }

  obs::Metrics metrics_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(PipelineTest, HandlesAGoodRequest) {
  auto response = call(*pipeline_, {Method::post, "/echo/hello%20there", R"({"text":"hi","count":3})"});
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(json_of(response), (boost::json::value{{"name", "hello there"}, {"text", "hi"}, {"count", 3}}));
  EXPECT_TRUE(header_of(response, "X-Request-Id"));
}

struct BadBody {
  std::string body;
  std::string content_type;
  int status;
  std::string code;
  std::string says = "";  ///< a part of the message
};

TEST_F(PipelineTest, BadBodiesGetClearErrors) {
  const std::vector<BadBody> table{
      {"", "application/json", 400, "MALFORMED_JSON", "empty"},
      {"{", "application/json", 400, "MALFORMED_JSON"},
      {"{\"text\": \"hi\",}", "application/json", 400, "MALFORMED_JSON"},
      {"\xff\xfe", "application/json", 400, "MALFORMED_JSON", "UTF-8"},
      {"{\"text\": \"caf\xe9\"}", "application/json", 400, "MALFORMED_JSON", "UTF-8"},  // Latin-1, not UTF-8
      {std::string(100, '['), "application/json", 400, "MALFORMED_JSON"},               // deeper than the parser allows
      {"[1,2]", "application/json", 400, "VALIDATION_FAILED"},
      {"\"text\"", "application/json", 400, "VALIDATION_FAILED"},
      {"{}", "application/json", 400, "VALIDATION_FAILED"},
      {R"({"text": 5})", "application/json", 400, "VALIDATION_FAILED"},
      {R"({"text": null})", "application/json", 400, "VALIDATION_FAILED"},
      {R"({"text": "hi", "count": "3"})", "application/json", 400, "VALIDATION_FAILED"},
      {R"({"text": "hi", "count": 1.5})", "application/json", 400, "VALIDATION_FAILED"},
      {R"({"text": "hi", "count": 99999999999999999999})", "application/json", 400, "VALIDATION_FAILED"},
      {R"({"text": "hi"})", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"},
  };
  for (const auto& bad : table) {
    auto response = post_echo(bad.body, bad.content_type);
    EXPECT_EQ(response.status, bad.status) << bad.body;
    auto json = json_of(response);
    EXPECT_EQ(json.at("code").as_string(), bad.code) << bad.body;
    EXPECT_FALSE(json.at("message").as_string().empty());
    EXPECT_NE(json.at("message").as_string().find(bad.says), std::string::npos) << bad.body;
    EXPECT_EQ(json.at("requestId").as_string(), header_of(response, "X-Request-Id").value());
  }
}

TEST_F(PipelineTest, MissingFieldIsNamed) {
  auto response = post_echo("{}");
  EXPECT_EQ(json_of(response).at("message"), "field 'text' is required");
  response = post_echo(R"({"text": 5})");
  EXPECT_EQ(json_of(response).at("message"), "field 'text' must be a string");
}

TEST_F(PipelineTest, JsonContentTypeWithParametersIsAccepted) {
  EXPECT_EQ(post_echo(R"({"text":"hi"})", "Application/JSON; charset=utf-8").status, 201);
}

TEST_F(PipelineTest, UnknownRouteAndWrongMethod) {
  auto response = call(*pipeline_, {Method::get, "/nowhere"});
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(json_of(response).at("code"), "NOT_FOUND");

  response = call(*pipeline_, {Method::get, "/echo/x"});
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(json_of(response).at("code"), "METHOD_NOT_ALLOWED");
  EXPECT_EQ(header_of(response, "Allow"), "POST, OPTIONS");

  // OPTIONS is how a client asks, and it is not an error.
  response = call(*pipeline_, {Method::options, "/echo/x"});
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.payload().empty());
  EXPECT_EQ(header_of(response, "Allow"), "POST, OPTIONS");
  EXPECT_EQ(call(*pipeline_, {Method::options, "/nowhere"}).status, 404);
}

TEST_F(PipelineTest, AHandlerExceptionIsA500WithoutDetails) {
  auto response = call(*pipeline_, {Method::get, "/boom"});
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(json_of(response).at("code"), "INTERNAL_ERROR");
  EXPECT_EQ(json_of(response).at("message").as_string().find("a bug"), std::string::npos);
}

TEST_F(PipelineTest, RequestIdIsTakenFromTheClientWhenSane) {
  auto response = call(*pipeline_, {Method::get, "/nowhere", "", {{"x-request-id", "abc-123"}}});
  EXPECT_EQ(header_of(response, "X-Request-Id"), "abc-123");
  EXPECT_EQ(json_of(response).at("requestId"), "abc-123");

  response = call(*pipeline_, {Method::get, "/nowhere", "", {{"x-request-id", "bad id\" with quotes"}}});
  EXPECT_NE(header_of(response, "X-Request-Id"), "bad id\" with quotes");

  auto first = header_of(call(*pipeline_, {Method::get, "/nowhere"}), "X-Request-Id");
  auto second = header_of(call(*pipeline_, {Method::get, "/nowhere"}), "X-Request-Id");
  EXPECT_NE(first, second);
}

TEST_F(PipelineTest, CorsPreflightForAnAllowedOrigin) {
  auto response = call(
      *pipeline_,
      {Method::options, "/echo/x", "", {{"origin", "https://app.example"}, {"access-control-request-method", "POST"}}});
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(header_of(response, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_TRUE(header_of(response, "Access-Control-Allow-Methods"));
}

TEST_F(PipelineTest, CorsRefusesOtherOriginsAndLeavesSameOriginAlone) {
  auto preflight = call(*pipeline_, {Method::options,
                                     "/echo/x",
                                     "",
                                     {{"origin", "https://evil.example"}, {"access-control-request-method", "POST"}}});
  EXPECT_EQ(preflight.status, 403);
  EXPECT_FALSE(header_of(preflight, "Access-Control-Allow-Origin"));

  auto plain = call(*pipeline_, {Method::post, "/echo/x", R"({"text":"hi"})", {{"origin", "https://app.example"}}});
  EXPECT_EQ(header_of(plain, "Access-Control-Allow-Origin"), "https://app.example");
  auto same_origin = call(*pipeline_, {Method::post, "/echo/x", R"({"text":"hi"})"});
  EXPECT_FALSE(header_of(same_origin, "Access-Control-Allow-Origin"));
}

TEST_F(PipelineTest, EveryRequestIsCountedByRouteAndStatus) {
  call(*pipeline_, {Method::post, "/echo/a", R"({"text":"hi"})"});
  call(*pipeline_, {Method::post, "/echo/b", R"({"text":"hi"})"});
  call(*pipeline_, {Method::get, "/nowhere/at/all"});
  const auto text = metrics_.render();
  EXPECT_NE(text.find(R"(modu_http_requests_total{method="POST",route="/echo/{name}",status="201"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(modu_http_requests_total{method="GET",route="unmatched",status="404"} 1)"), std::string::npos)
      << text;
}

TEST_F(PipelineTest, RejectStillCarriesARequestId) {
  Request request;
  auto response = pipeline_->reject(request, {Errc::payload_too_large, "too big"});
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(json_of(response).at("code"), "PAYLOAD_TOO_LARGE");
  EXPECT_TRUE(header_of(response, "X-Request-Id"));
}

}  // namespace
}  // namespace modu::http

// The real binary on a free port, spoken to over TCP.
#include "support/server_process.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <thread>

namespace modu::testing {
namespace {

boost::json::value json_of(const HttpReply& reply) { return boost::json::parse(reply.body); }

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess({{"MODU_SERVER_BODY_LIMIT_BYTES", "4096"},
                                 {"MODU_SERVER_HEADER_LIMIT_BYTES", "2048"},
                                 {"MODU_SERVER_READ_TIMEOUT_SECONDS", "2"},
                                 {"MODU_SERVER_IDLE_TIMEOUT_SECONDS", "2"},
                                 {"MODU_SERVER_CORS_ALLOWED_ORIGINS", "https://app.example"}});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServerProcess* server_;
};
ServerProcess* ServerTest::server_ = nullptr;

TEST_F(ServerTest, AnswersCommonDataAsJson) {
  Connection connection(server_->port());
  auto reply = connection.request(get_request("/api/v1/common/version"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->headers["content-type"], "application/json");
  EXPECT_EQ(json_of(*reply).at("value").at("name"), "modu");
  EXPECT_FALSE(reply->headers["x-request-id"].empty());
  EXPECT_FALSE(reply->headers["date"].empty());
}

TEST_F(ServerTest, KeepsConnectionsAliveAndAnswersPipelinedRequestsInOrder) {
  Connection connection(server_->port());
  connection.send(get_request("/api/v1/common/version") + get_request("/api/v1/common/nope") + get_request("/healthz"));
  EXPECT_EQ(connection.read_reply()->status, 200);
  EXPECT_EQ(connection.read_reply()->status, 404);
  EXPECT_EQ(connection.read_reply()->status, 200);
  EXPECT_EQ(connection.request(get_request("/readyz"))->status, 200);
}

TEST_F(ServerTest, HeadHasTheLengthButNoBody) {
  Connection connection(server_->port());
  connection.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto reply = connection.read_reply(true);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->headers["content-length"], "15");
  EXPECT_EQ(connection.request(get_request("/healthz"))->body, R"({"status":"UP"})");
}

struct BadInput {
  std::string name;
  std::string bytes;
  int status;
  std::string code;
};

/// Each row on a connection of its own; afterwards the server still serves.
TEST_F(ServerTest, BadInputGetsAClearErrorAndHarmsNothing) {
  const std::string big(5000, 'x');
  const std::vector<BadInput> table{
      {"garbage", "THIS IS NOT HTTP\r\n\r\n", 400, "BAD_REQUEST"},
      {"binary", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n", 400, "BAD_REQUEST"},
      {"unknown route", get_request("/api/v1/nothing/here"), 404, "NOT_FOUND"},
      {"unknown common key", get_request("/api/v1/common/%F0%9F%90%B0"), 404, "NOT_FOUND"},
      {"wrong method", "POST /api/v1/common HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 405,
       "METHOD_NOT_ALLOWED"},
      {"unknown method", "BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405, "METHOD_NOT_ALLOWED"},
      {"body over the limit", "POST /api/v1/common HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + big, 413,
       "PAYLOAD_TOO_LARGE"},
      {"chunked body over the limit",
       "POST /api/v1/common HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n" + big + "\r\n0\r\n\r\n",
       413, "PAYLOAD_TOO_LARGE"},
      {"head over the limit", get_request("/healthz", "X-Junk: " + std::string(3000, 'j') + "\r\n"), 431,
       "HEADERS_TOO_LARGE"},
      {"smuggling: transfer-encoding not chunked",
       "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
       400, "BAD_REQUEST"},
      {"no host", "GET /healthz HTTP/1.1\r\n\r\n", 400, "BAD_REQUEST"},
      {"path not utf-8", get_request("/api/v1/common/%FF"), 400, "BAD_REQUEST"},
      {"bad content length", "POST /api/v1/common HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400,
       "BAD_REQUEST"},
      {"target not a path", "GET healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"},
      {"bad percent escape", get_request("/api/v1/common/%zz"), 400, "BAD_REQUEST"},
      {"bad version", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"},
      {"websocket handshake without a key",
       "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
       400, "BAD_REQUEST"},
      {"websocket handshake of another version",
       "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
       426, "UPGRADE_REQUIRED"},
  };
  for (const auto& row : table) {
    Connection connection(server_->port());
    auto reply = connection.request(row.bytes);
    ASSERT_TRUE(reply) << row.name << ": no reply";
    EXPECT_EQ(reply->status, row.status) << row.name;
    EXPECT_EQ(reply->headers["content-type"], "application/json") << row.name;
    auto json = json_of(*reply);
    EXPECT_EQ(json.at("code").as_string(), row.code) << row.name;
    EXPECT_FALSE(json.at("message").as_string().empty()) << row.name;
    EXPECT_EQ(json.at("requestId").as_string(), reply->headers["x-request-id"]) << row.name;
  }
  Connection after(server_->port());
  EXPECT_EQ(after.request(get_request("/healthz"))->status, 200);
}

/// The server reads what follows a refused body instead of closing on it: a close would
/// reset the connection, and clients that stop at a failed send (curl, Node's http) would
/// never read the 413.
TEST_F(ServerTest, ABodyOverTheLimitIsReadToItsEndAndHearsWhy) {
  Connection connection(server_->port());
  const std::string body(4 << 20, 'x');
  EXPECT_TRUE(connection.send(
      "POST /api/v1/common HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  auto reply = connection.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
  EXPECT_TRUE(connection.closed_by_server());
}

TEST_F(ServerTest, AWebSocketHandshakeOfAnotherVersionHearsWhichOneWeSpeak) {
  Connection connection(server_->port());
  auto reply = connection.request(
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 426);
  EXPECT_EQ(reply->headers["sec-websocket-version"], "13");
  EXPECT_EQ(reply->headers["upgrade"], "websocket");
  EXPECT_EQ(reply->headers["connection"], "Upgrade, close");  // Upgrade is hop-by-hop (RFC 9110, 7.8)

  // A plain GET of the WebSocket's path is told to upgrade, the same way.
  Connection plain(server_->port());
  reply = plain.request(get_request("/ws"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 426);
  EXPECT_EQ(json_of(*reply).at("code"), "UPGRADE_REQUIRED");
  EXPECT_EQ(reply->headers["upgrade"], "websocket");
  EXPECT_EQ(reply->headers["connection"], "Upgrade");
}

TEST_F(ServerTest, AnAbsoluteFormTargetIsTakenForItsPath) {
  Connection connection(server_->port());
  auto reply = connection.request("GET http://modu.example/healthz HTTP/1.1\r\nHost: modu.example\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"status":"UP"})");
  EXPECT_EQ(connection.request("GET http://modu.example HTTP/1.1\r\nHost: modu.example\r\n\r\n")->status, 200);
  EXPECT_EQ(connection.request("GET ftp://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n")->status, 400);
  Connection no_host(server_->port());
  EXPECT_EQ(no_host.request("GET http:healthz HTTP/1.1\r\nHost: x\r\n\r\n")->status, 400);
}

/// An idle connection is closed without a word; one whose request stalls half-way hears
/// 408 first, so that its client knows the request was not taken.
TEST_F(ServerTest, IdleAndStalledConnectionsAreClosed) {
  Connection idle(server_->port());
  EXPECT_EQ(idle.request(get_request("/healthz"))->status, 200);
  EXPECT_TRUE(idle.closed_by_server());  // after the idle timeout

  for (std::string stall : {"GET /healthz HTTP/1.1\r\nHost: x\r\n",  // and never the blank line
                            "POST /api/v1/common HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"a\""}) {
    Connection stalled(server_->port());
    stalled.send(stall);
    auto reply = stalled.read_reply();  // after the read timeout
    ASSERT_TRUE(reply) << stall;
    EXPECT_EQ(reply->status, 408) << stall;
    EXPECT_EQ(reply->headers["connection"], "close");
    EXPECT_EQ(json_of(*reply).at("code"), "REQUEST_TIMEOUT");
    EXPECT_TRUE(stalled.closed_by_server());
  }
}

/// A request that begins on a connection idle under a long timeout gets the short read
/// timeout, not what was left of the idle one.
TEST(Timeouts, TheReadTimeoutAppliesEvenWhenTheIdleTimeoutIsLonger) {
  ServerProcess server({{"MODU_SERVER_IDLE_TIMEOUT_SECONDS", "600"}, {"MODU_SERVER_READ_TIMEOUT_SECONDS", "1"}});
  Connection stalled(server.port());
  EXPECT_EQ(stalled.request(get_request("/healthz"))->status, 200);
  const auto begun = std::chrono::steady_clock::now();
  stalled.send("GET /healthz HTTP/1.1\r\n");
  EXPECT_EQ(stalled.read_reply()->status, 408);
  EXPECT_TRUE(stalled.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - begun, std::chrono::seconds(10));
}

/// Query strings are read exactly, not past their end into the request head (this
/// failed most of the time when the query was a view into Beast's buffer).
TEST_F(ServerTest, QueryParametersArriveIntact) {
  Connection connection(server_->port());
  const std::string signup = R"({"email":"query@example.com","password":"correct horse","nickname":"q"})";
  connection.request(
      "POST /api/v1/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(signup.size()) + "\r\n\r\n" + signup);
  const std::string login = R"({"email":"query@example.com","password":"correct horse"})";
  auto session = connection.request(
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(login.size()) + "\r\n\r\n" + login);
  ASSERT_EQ(session->status, 200) << session->body;
  const std::string token(json_of(*session).at("accessToken").as_string());
  const auto id = std::to_string(json_of(*session).at("member").at("id").as_int64());
  for (int i = 0; i < 20; ++i) {
    auto found =
        connection.request(get_request("/api/v1/members?ids=" + id, "Authorization: Bearer " + token + "\r\n"));
    ASSERT_EQ(found->status, 200) << found->body;
    EXPECT_EQ(json_of(*found).at("items").as_array().size(), 1u);
    auto by_email = connection.request(
        get_request("/api/v1/members?email=query%40example.com", "Authorization: Bearer " + token + "\r\n"));
    EXPECT_EQ(json_of(*by_email).at("items").as_array().size(), 1u) << by_email->body;
  }
}

TEST_F(ServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  Connection connection(server_->port());
  connection.send(
      "POST /api/v1/common HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  auto interim = connection.read_reply();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  connection.send("{}");
  EXPECT_EQ(connection.read_reply()->status, 405);
}

TEST_F(ServerTest, NoContentHasNoBodyAndNoLength) {
  Connection connection(server_->port());
  auto preflight = connection.request(
      "OPTIONS /api/v1/common HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n"
      "Access-Control-Request-Method: GET\r\n\r\n");
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->headers.count("content-length"), 0u);
  EXPECT_EQ(preflight->headers["access-control-allow-origin"], "https://app.example");
  EXPECT_EQ(connection.request(get_request("/healthz"))->status, 200);  // and the connection goes on
}

TEST_F(ServerTest, ASecondServerCannotTakeTheSamePort) {
  auto second = run_modu(
      {"serve", "--profile", "test", "--port", std::to_string(server_->port())},
      {{"MODU_SERVER_HOST", "127.0.0.1"}, {"MODU_STORAGE_DATA_DIR", "/tmp/modu-second-" + std::to_string(getpid())}});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.output.find("cannot listen on port"), std::string::npos) << second.output;
}

TEST_F(ServerTest, HttpOneZeroClosesAfterTheResponse) {
  Connection connection(server_->port());
  EXPECT_EQ(connection.request("GET /healthz HTTP/1.0\r\n\r\n")->status, 200);
  EXPECT_TRUE(connection.closed_by_server());
}

TEST_F(ServerTest, ManyConnectionsAtOnce) {
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < 200; ++i) connections.push_back(std::make_unique<Connection>(server_->port()));
  for (auto& connection : connections) connection->send(get_request("/api/v1/common/time"));
  for (auto& connection : connections) EXPECT_EQ(connection->read_reply()->status, 200);
  auto metrics = Connection(server_->port()).request(get_request("/metrics"));
  EXPECT_NE(metrics->body.find("modu_http_open_connections"), std::string::npos);
}

TEST_F(ServerTest, ServesSwaggerUiAndTheDocument) {
  Connection connection(server_->port());
  auto page = connection.request(get_request("/swagger-ui/"));
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("swagger-ui-bundle.js"), std::string::npos);
  auto bundle = connection.request(get_request("/swagger-ui/swagger-ui-bundle.js"));
  EXPECT_EQ(bundle->status, 200);
  EXPECT_EQ(bundle->headers["content-type"], "text/javascript; charset=utf-8");
  auto document = connection.request(get_request("/v3/api-docs"));
  EXPECT_EQ(json_of(*document).at("info").at("title"), "Modu messenger API");
}

TEST(Drain, FinishesInFlightRequestsClosesIdleAndLingeringOnesAndExitsZero) {
  ServerProcess server;
  Connection idle(server.port());
  EXPECT_EQ(idle.request(get_request("/healthz"))->status, 200);
  Connection in_flight(server.port());
  in_flight.send("GET /api/v1/common/version HTTP/1.1\r\nHost: x\r\n");  // begun, not finished
  // Refused, and the server lingers to read the rest of its body, which never comes.
  Connection refused(server.port());
  refused.send("POST /api/v1/common HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\n\r\n" + std::string(1000, 'x'));
  EXPECT_EQ(refused.read_reply()->status, 413);

  // Wait until the server has seen the three connections before signalling.
  for (int i = 0; i < 200; ++i) {
    auto metrics = Connection(server.port()).request(get_request("/metrics"));
    if (metrics->body.find("modu_http_open_connections 4") != std::string::npos) break;
  }
  kill(server.pid(), SIGTERM);
  EXPECT_TRUE(idle.closed_by_server());
  in_flight.send("\r\n");
  auto reply = in_flight.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->headers["connection"], "close");
  EXPECT_EQ(server.stop(0), 0) << server.output();
  // Not left for the drain's deadline to close: a lingering connection is not waited for.
  EXPECT_EQ(server.output().find("still busy"), std::string::npos) << server.output();
}

TEST(Commands, VersionMigrateAndBadConfiguration) {
  auto version = run_modu({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find("modu 0."), std::string::npos);

  const auto dir = std::filesystem::temp_directory_path() / ("modu-migrate-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto migrate = run_modu({"migrate", "--profile", "test", "--data-dir", dir.string()});
  EXPECT_EQ(migrate.exit_code, 0) << migrate.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "modu.db"));
  std::filesystem::remove_all(dir);

  auto bad = run_modu({"serve", "--profile", "test"}, {{"MODU_SERVER_PORT", "http"}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("server.port"), std::string::npos) << bad.output;

  auto prod = run_modu({"serve", "--profile", "prod"});
  EXPECT_EQ(prod.exit_code, 2);
  EXPECT_NE(prod.output.find("auth.jwtSecret"), std::string::npos) << prod.output;
}

}  // namespace
}  // namespace modu::testing

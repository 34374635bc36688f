// nginx on loopback in front of the real binary: the gateway asks GET /auth/check
// (auth_request) before serving a protected location, and proxies the API with
// X-Forwarded-For, which Modu trusts when told to.
#include "support/server_process.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <fstream>

namespace modu::testing {
namespace {

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

/// nginx with a throw-away prefix, stopped by its pid.
class Nginx {
 public:
  Nginx(int modu_port) : port_(free_port()) {
    folder_ = std::filesystem::temp_directory_path() / ("modu-nginx-" + std::to_string(getpid()));
    std::filesystem::remove_all(folder_);
    std::filesystem::create_directories(folder_ / "html" / "protected");
    std::ofstream(folder_ / "html" / "protected" / "secret.txt") << "for members only\n";
    std::ofstream(folder_ / "nginx.conf")
        << "worker_processes 1;\n"
           "pid "
        << (folder_ / "nginx.pid").string()
        << ";\n"
           "error_log "
        << (folder_ / "error.log").string()
        << ";\n"
           "daemon on;\n"
           "events { worker_connections 64; }\n"
           "http {\n"
           "  access_log off;\n"
           "  client_body_temp_path "
        << (folder_ / "tmp").string()
        << ";\n"
           "  proxy_temp_path "
        << (folder_ / "tmp").string()
        << ";\n"
           "  upstream modu { server 127.0.0.1:"
        << modu_port
        << "; }\n"
           "  server {\n"
           "    listen 127.0.0.1:"
        << port_
        << ";\n"
           "    root "
        << (folder_ / "html").string()
        << ";\n"
           "    location /api/ { proxy_pass http://modu; proxy_http_version 1.1;\n"
           "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }\n"
           "    location = /_modu_auth { internal; proxy_pass http://modu/api/v1/auth/check;\n"
           "      proxy_pass_request_body off; proxy_set_header Content-Length \"\"; }\n"
           "    location /protected/ { auth_request /_modu_auth;\n"
           "      auth_request_set $member_id $upstream_http_x_member_id;\n"
           "      add_header X-Member-Id $member_id; }\n"
           "  }\n"
           "}\n";
    std::filesystem::create_directories(folder_ / "tmp");
    const auto command = "/usr/sbin/nginx -p " + folder_.string() + " -c " + (folder_ / "nginx.conf").string() +
                         " -e " + (folder_ / "error.log").string();
    if (std::system(command.c_str()) != 0) throw std::runtime_error("nginx did not start: " + command);
  }
  ~Nginx() {
    std::ifstream pid_file(folder_ / "nginx.pid");
    pid_t pid = 0;
    if (pid_file >> pid && pid > 0) {
      kill(pid, SIGTERM);
      for (int i = 0; i < 200 && kill(pid, 0) == 0; ++i) usleep(10000);
    }
    std::filesystem::remove_all(folder_);
  }
  int port() const { return port_; }

 private:
  int port_;
  std::filesystem::path folder_;
};

std::string body_of(std::initializer_list<std::pair<const char*, const char*>> fields) {
  std::string out = "{";
  for (const auto& [key, value] : fields)
    out += std::string(out.size() > 1 ? "," : "") + "\"" + key + "\":\"" + value + "\"";
  return out + "}";
}

std::string post(const std::string& path, const std::string& body) {
  return "POST " + path +
         " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

TEST(Gateway, NginxAuthRequestAdmitsMembersAndTurnsAwayTheRest) {
  if (!std::filesystem::exists("/usr/sbin/nginx")) {
    if (std::getenv("MODUTEST_REQUIRE_SERVERS")) FAIL() << "nginx is not installed";  // make test installs it
    GTEST_SKIP() << "nginx is not installed";
  }
  ServerProcess modu({{"MODU_SERVER_TRUST_FORWARDED_FOR", "true"}, {"MODU_LOG_ACCESS_LOG", "true"}});
  Nginx nginx(modu.port());

  Connection connection(nginx.port());
  auto signed_up = connection.request(
      post("/api/v1/auth/signup",
           body_of({{"email", "me@example.com"}, {"password", "correct horse"}, {"nickname", "me"}})));
  ASSERT_TRUE(signed_up);
  ASSERT_EQ(signed_up->status, 201) << signed_up->body;
  const auto id = boost::json::parse(signed_up->body).at("id").as_int64();
  auto login = connection.request(
      post("/api/v1/auth/login", body_of({{"email", "me@example.com"}, {"password", "correct horse"}})));
  ASSERT_EQ(login->status, 200);
  const std::string token(boost::json::parse(login->body).at("accessToken").as_string());

  auto anonymous = connection.request(get_request("/protected/secret.txt"));
  EXPECT_EQ(anonymous->status, 401);
  auto forged = connection.request(get_request("/protected/secret.txt", "Authorization: Bearer forged\r\n"));
  EXPECT_EQ(forged->status, 401);
  auto member = connection.request(get_request("/protected/secret.txt", "Authorization: Bearer " + token + "\r\n"));
  EXPECT_EQ(member->status, 200);
  EXPECT_EQ(member->body, "for members only\n");
  EXPECT_EQ(member->headers["x-member-id"], std::to_string(id));

  // Modu saw the client's address as nginx reported it, not a header the client forged.
  auto forwarded = connection.request(
      get_request("/api/v1/members/me", "Authorization: Bearer " + token + "\r\nX-Forwarded-For: 203.0.113.9\r\n"));
  EXPECT_EQ(forwarded->status, 200);
  modu.stop();
  EXPECT_NE(modu.output().find(R"("client":"127.0.0.1")"), std::string::npos);
  EXPECT_EQ(modu.output().find(R"("client":"203.0.113.9")"), std::string::npos);
}

}  // namespace
}  // namespace modu::testing

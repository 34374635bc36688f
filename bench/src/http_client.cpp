// The bench's HTTP client: Beast's HTTP/1.1 over a plain socket, in coroutines. The only
// file that instantiates Beast's templates, so the scenarios compile quickly.
#include "http_client.hpp"

#include "scenario.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <optional>

namespace modu::bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Bench replies are small JSON documents; anything near this size is a server bug.
constexpr std::uint64_t kBodyLimit = 1 << 20;

}  // namespace

Target resolve_target(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || parsed->has_userinfo() || parsed->has_query() ||
      !(parsed->path().empty() || parsed->path() == "/") || parsed->host().empty()) {
    throw UsageError("--url must look like http://127.0.0.1:8080 (plain HTTP, no path), not '" + url + "'");
  }
  const std::string host(parsed->host());
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) throw UsageError("cannot resolve " + host + ": " + ec.message());
  return Target{results.begin()->endpoint(), host + ":" + port};
}

/// The socket and its deadline. Arming a timer for every read and write costs a trip
/// through the timer queue each; instead a request only moves `deadline`, and one
/// watchdog per connection wakes at most once per timeout to check it (the server's
/// connections do the same).
struct HttpConnection::Impl {
  Impl(asio::any_io_executor executor, Target target, std::chrono::seconds timeout)
      : socket(executor), watchdog(executor), target(std::move(target)), timeout(timeout) {}

  tcp::socket socket;
  asio::steady_timer watchdog;
  const Target target;
  const std::chrono::seconds timeout;
  beast::flat_buffer buffer;                  // kept across requests: keep-alive
  std::optional<Clock::time_point> deadline;  // set while a request is in flight
  bool timed_out = false;                     // the watchdog closed the socket
  bool stopped = false;                       // the HttpConnection is gone

  static asio::awaitable<void> watch(std::shared_ptr<Impl> self) {
    for (;;) {
      self->watchdog.expires_at(self->deadline.value_or(Clock::now() + self->timeout));
      co_await self->watchdog.async_wait(kUseTuple);
      if (self->stopped) co_return;
      if (self->deadline && Clock::now() >= *self->deadline) {
        self->timed_out = true;
        self->close();
      }
    }
  }

  void close() {
    boost::system::error_code ignored;
    socket.close(ignored);
    buffer.clear();
  }

  /// Ends a request that got no response: the connection is unusable, the next request
  /// opens a new one.
  HttpReply failed(boost::system::error_code ec) {
    if (timed_out) ec = asio::error::timed_out;
    timed_out = false;
    deadline.reset();
    close();
    return HttpReply{ec, 0, {}};
  }
};

HttpConnection::HttpConnection(asio::any_io_executor executor, const Target& target, std::chrono::seconds timeout)
    : impl_(std::make_shared<Impl>(executor, target, timeout)) {
  asio::co_spawn(executor, Impl::watch(impl_), asio::detached);
}

HttpConnection::~HttpConnection() {
  impl_->stopped = true;
  impl_->watchdog.cancel();
  impl_->close();
}

asio::awaitable<HttpReply> HttpConnection::request(Method method, std::string_view path, std::string body,
                                                   std::string_view token) {
  auto& self = *impl_;
  self.timed_out = false;  // the watchdog may have fired just as the previous response arrived
  self.deadline = Clock::now() + self.timeout;
  if (!self.socket.is_open()) {
    auto [ec] = co_await self.socket.async_connect(self.target.endpoint, kUseTuple);
    if (ec) co_return self.failed(ec);
    self.socket.set_option(tcp::no_delay(true), ec);
  }

  bhttp::request<bhttp::string_body> request{method == Method::get ? bhttp::verb::get : bhttp::verb::post, path, 11};
  request.set(bhttp::field::host, self.target.host);
  if (!token.empty()) request.set(bhttp::field::authorization, "Bearer " + std::string(token));
  if (method == Method::post) {
    request.set(bhttp::field::content_type, "application/json");
    request.body() = std::move(body);
  }
  request.prepare_payload();
  if (auto [ec, _] = co_await bhttp::async_write(self.socket, request, kUseTuple); ec) co_return self.failed(ec);

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kBodyLimit);
  if (auto [ec, _] = co_await bhttp::async_read(self.socket, self.buffer, parser, kUseTuple); ec) {
    co_return self.failed(ec);
  }
  self.deadline.reset();
  auto& response = parser.get();
  HttpReply reply{{}, static_cast<int>(response.result_int()), std::move(response.body())};
  if (!response.keep_alive()) self.close();
  co_return reply;
}

}  // namespace modu::bench

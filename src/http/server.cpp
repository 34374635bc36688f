#include "http/server.hpp"

#include "core/text.hpp"
#include "http/upgrade.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <ctime>
#include <memory_resource>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>

namespace modu::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
/// Sockets and timers are bound to their thread's event loop by type (see `Socket`).
using Acceptor = asio::basic_socket_acceptor<tcp, asio::io_context::executor_type>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>,
                                         asio::io_context::executor_type>;

/// Header fields allocated from an arena the caller owns: Beast allocates each field on
/// its own, and a request and its response have five or more each. A request's arena
/// lives in `Impl::serve`'s frame, a response's in `Impl::write`'s.
using ArenaAllocator = std::pmr::polymorphic_allocator<char>;
using ArenaFields = bhttp::basic_fields<ArenaAllocator>;
using RequestParser = bhttp::request_parser<bhttp::string_body, ArenaAllocator>;
using RequestMessage = bhttp::request<bhttp::string_body, ArenaFields>;

/// Beast's parsed headers, seen through the transport-neutral interface.
class BeastHeaders final : public HeaderSource {
 public:
  explicit BeastHeaders(const ArenaFields& fields) : fields_(fields) {}
  std::optional<std::string_view> find(std::string_view name) const override {
    auto it = fields_.find(name);
    if (it == fields_.end()) return std::nullopt;
    return it->value();
  }

 private:
  const ArenaFields& fields_;
};

/// The Date header changes once a second; each thread formats it once a second.
std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[40];
  thread_local std::size_t length = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    cached_second = now;
  }
  return {text, length};
}

bool is_quiet(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::bad_descriptor || ec == bhttp::error::end_of_stream ||
         ec == bhttp::error::partial_message;
}

}  // namespace

struct Server::Impl {
  /// A connection and its deadline. Beast's tcp_stream arms and cancels a timer for
  /// every read and write (three a request, each a trip through the timer queue); here an
  /// operation only moves `deadline`, and one watchdog timer per connection wakes rarely,
  /// re-arming when the deadline has moved on and closing the socket when it has passed
  /// (or, while a request is arriving, stopping the read so that the session answers 408).
  struct Connection {
    explicit Connection(Socket s) : socket(std::move(s)), watchdog(socket.get_executor()) {}
    Socket socket;
    Timer watchdog;
    std::chrono::steady_clock::time_point deadline;
    bool idle = true;        ///< waiting for a request to begin, or lingering after a refusal; drain may close it
    bool arriving = false;   ///< a request has begun and is being read: its timeout is answered
    bool timed_out = false;  ///< the watchdog stopped that read
    bool finished = false;

    void expire_after(std::chrono::seconds timeout) { deadline = std::chrono::steady_clock::now() + timeout; }
  };
  /// One per I/O thread: an event loop, a listening socket, and the connections it owns.
  struct Worker {
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> keep_running{io.get_executor()};
    std::optional<Acceptor> acceptor;
    std::unordered_set<Connection*> connections;
  };

  const ServerConfig& config;
  const Pipeline& pipeline;
  std::string upgrade_path;
  UpgradeHandler* upgrade_handler = nullptr;
  obs::Metrics& metrics;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<bool> draining{false};
  std::atomic<bool> stop_now{false};
  std::mutex drain_mutex;
  std::condition_variable drain_changed;
  std::optional<asio::signal_set> signals;

  Impl(const ServerConfig& config, const Pipeline& pipeline, obs::Metrics& metrics)
      : config(config), pipeline(pipeline), metrics(metrics) {
    for (unsigned i = 0; i < config.io_threads; ++i) workers.push_back(std::make_unique<Worker>());
  }

  std::uint16_t listen() {
    const tcp::endpoint first(asio::ip::make_address(config.host), config.port);
    if (config.port != 0) refuse_taken_port(first);
    std::uint16_t port = config.port;
    for (auto& worker : workers) {
      auto& acceptor = worker->acceptor.emplace(worker->io);
      const tcp::endpoint endpoint(first.address(), port);
      acceptor.open(endpoint.protocol());
      acceptor.set_option(tcp::acceptor::reuse_address(true));
      acceptor.set_option(ReusePort(true));
      acceptor.bind(endpoint);
      acceptor.listen(asio::socket_base::max_listen_connections);
      port = acceptor.local_endpoint().port();
    }
    return port;
  }

  /// SO_REUSEPORT would let a second server bind the same port and quietly take half of
  /// its connections; a bind without it fails while anyone listens there.
  static void refuse_taken_port(const tcp::endpoint& endpoint) {
    asio::io_context io;
    tcp::acceptor probe(io);
    probe.open(endpoint.protocol());
    probe.set_option(tcp::acceptor::reuse_address(true));
    boost::system::error_code ec;
    probe.bind(endpoint, ec);
    if (ec) throw std::runtime_error("cannot listen on port " + std::to_string(endpoint.port()) + ": " + ec.message());
  }

  void run() {
    signals.emplace(workers.front()->io, SIGINT, SIGTERM);
    wait_for_signal();
    for (auto& worker : workers) {
      asio::co_spawn(worker->io, accept_loop(*worker), asio::detached);
    }
    std::vector<std::thread> threads;
    for (auto& worker : workers) {
      threads.emplace_back([&io = worker->io] { io.run(); });
    }

    std::unique_lock lock(drain_mutex);
    drain_changed.wait(lock, [&] { return draining.load(); });
    // In-flight requests finish on their own threads, until the deadline or a second signal.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(config.drain_timeout_seconds);
    while (metrics.open_connections() > 0 && !stop_now && std::chrono::steady_clock::now() < deadline) {
      drain_changed.wait_for(lock, std::chrono::milliseconds(10));
    }
    lock.unlock();
    if (const auto left = metrics.open_connections(); left > 0) {
      spdlog::warn("drain ended with {} connections still busy: closing them", left);
      close_every_connection();
    }
    for (auto& worker : workers) {
      worker->keep_running.reset();
      worker->io.stop();
    }
    for (auto& thread : threads) thread.join();
  }

  void wait_for_signal() {
    signals->async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      if (draining) {
        spdlog::warn("signal {} during drain: stopping now", signal);
        stop_now = true;
        drain_changed.notify_all();
        return;
      }
      spdlog::info("signal {}: draining", signal);
      drain();
      wait_for_signal();
    });
  }

  void drain() {
    if (draining.exchange(true)) return;
    if (upgrade_handler) upgrade_handler->drain();
    for (auto& worker : workers) {
      asio::post(worker->io, [worker = worker.get()] {
        if (worker->acceptor) worker->acceptor->close();
        for (auto* connection : worker->connections) {
          if (connection->idle) {
            boost::system::error_code ignored;
            connection->socket.cancel(ignored);
          }
        }
      });
    }
    std::lock_guard lock(drain_mutex);
    drain_changed.notify_all();
  }

  /// Closes what the drain left, each on its own thread, and waits briefly for the
  /// sessions to notice.
  void close_every_connection() {
    for (auto& worker : workers) {
      asio::post(worker->io, [worker = worker.get()] {
        for (auto* connection : worker->connections) {
          boost::system::error_code ignored;
          connection->socket.close(ignored);
        }
      });
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (metrics.open_connections() > 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  asio::awaitable<void> accept_loop(Worker& worker) {
    auto last_warning = std::chrono::steady_clock::time_point();
    while (!draining) {
      auto [ec, socket] = co_await worker.acceptor->async_accept(kUseTuple);
      if (ec == asio::error::operation_aborted || !worker.acceptor->is_open()) co_return;
      if (ec) {
        // Out of file descriptors, most likely: back off instead of spinning, and say so
        // once a second at most.
        if (std::chrono::steady_clock::now() - last_warning > std::chrono::seconds(1)) {
          spdlog::warn("accept failed: {}", ec.message());
          last_warning = std::chrono::steady_clock::now();
        }
        asio::steady_timer pause(worker.io, std::chrono::milliseconds(50));
        co_await pause.async_wait(kUseTuple);
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      asio::co_spawn(worker.io, session(worker, std::move(socket)), asio::detached);
    }
  }

  /// Never sleeps past `shortest` (the shortest timeout): a deadline set later is at
  /// least `shortest` after it was set, so the watchdog is always awake in time for it.
  static asio::awaitable<void> watch(std::shared_ptr<Connection> connection, std::chrono::seconds shortest) {
    while (!connection->finished) {
      connection->watchdog.expires_at(std::min(connection->deadline, std::chrono::steady_clock::now() + shortest));
      co_await connection->watchdog.async_wait(kUseTuple);
      if (!connection->finished && std::chrono::steady_clock::now() >= connection->deadline) {
        boost::system::error_code ignored;
        if (connection->arriving && !connection->timed_out) {
          // The session answers 408 and closes; its write sets the next deadline, and
          // until then this one gives it time.
          connection->timed_out = true;
          connection->deadline = std::chrono::steady_clock::now() + shortest;
          connection->socket.cancel(ignored);
          continue;
        }
        connection->socket.close(ignored);  // the pending read or write fails; the session ends
        co_return;
      }
    }
  }

  /// Owns a connection's registration: whatever way the session ends, it is closed,
  /// unregistered and uncounted.
  struct Registration {
    Impl& server;
    Worker& worker;
    std::shared_ptr<Connection> connection;
    Registration(Impl& server, Worker& worker, std::shared_ptr<Connection> connection)
        : server(server), worker(worker), connection(std::move(connection)) {
      worker.connections.insert(this->connection.get());
      server.metrics.connection_opened();
    }
    ~Registration() {
      boost::system::error_code ignored;
      connection->finished = true;
      connection->watchdog.cancel();
      connection->socket.shutdown(tcp::socket::shutdown_send, ignored);
      connection->socket.close(ignored);
      worker.connections.erase(connection.get());
      server.metrics.connection_closed();
      server.drain_changed.notify_all();
    }
  };

  asio::awaitable<void> session(Worker& worker, Socket socket) {
    boost::system::error_code ignored;
    const auto remote = socket.remote_endpoint(ignored);
    auto shared = std::make_shared<Connection>(std::move(socket));
    shared->expire_after(std::chrono::seconds(config.idle_timeout_seconds));
    const auto shortest = std::chrono::seconds(std::min(config.idle_timeout_seconds, config.read_timeout_seconds));
    asio::co_spawn(worker.io, watch(shared, shortest), asio::detached);
    Registration registration(*this, worker, shared);
    try {
      auto upgrade = co_await serve(*shared, remote.address().to_string());
      // The upgraded connection is the handler's now: this session, its timeouts and
      // its registration end here (the handler counts its own connections).
      if (upgrade) upgrade_handler->take(std::move(shared->socket), std::move(*upgrade));
    } catch (const std::exception& e) {
      spdlog::error("connection from {} failed: {}", remote.address().to_string(), e.what());
    }
  }

  /// Requests on one connection, one after another, until it closes or asks to upgrade
  /// (then the request that asked).
  asio::awaitable<std::optional<UpgradeHandler::UpgradeRequest>> serve(Connection& connection,
                                                                       const std::string& client) {
    beast::flat_buffer buffer;
    for (bool keep_alive = true; keep_alive && !draining;) {
      connection.idle = true;
      if (buffer.size() == 0) {
        connection.expire_after(std::chrono::seconds(config.idle_timeout_seconds));
        auto [ec, n] = co_await connection.socket.async_read_some(buffer.prepare(4096), kUseTuple);
        if (ec) co_return std::nullopt;
        buffer.commit(n);
      }
      connection.idle = false;

      std::array<std::byte, 1024> field_space;
      std::pmr::monotonic_buffer_resource field_arena(field_space.data(), field_space.size());
      RequestParser parser(std::piecewise_construct, std::make_tuple(), std::make_tuple(ArenaAllocator(&field_arena)));
      parser.header_limit(static_cast<std::uint32_t>(config.header_limit_bytes));
      parser.body_limit(config.body_limit_bytes);
      connection.expire_after(std::chrono::seconds(config.read_timeout_seconds));
      connection.arriving = true;
      auto [ec, n] = co_await bhttp::async_read_header(connection.socket, buffer, parser, kUseTuple);
      if (!ec && !parser.is_done()) {
        if (wants_continue(parser.get())) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          std::tie(ec, n) = co_await asio::async_write(connection.socket, asio::buffer(kContinue), kUseTuple);
        }
        if (!ec) std::tie(ec, n) = co_await bhttp::async_read(connection.socket, buffer, parser, kUseTuple);
      }
      connection.arriving = false;
      // A read that completed as the watchdog fired took the request whole: it is answered.
      if (std::exchange(connection.timed_out, false) && ec) {
        // Named, as the refusals' errors are here: g++ 12 destroyed a string built inside
        // a braced argument of a co_await twice (AddressSanitizer: double free).
        const Error timeout{Errc::request_timeout, "the request did not arrive whole within " +
                                                       std::to_string(config.read_timeout_seconds) + " seconds"};
        co_await refuse(connection, parser, client, timeout);
        co_return std::nullopt;
      }
      if (ec) {
        if (!is_quiet(ec) && connection.socket.is_open()) co_await refuse(connection, parser, client, refusal(ec));
        co_return std::nullopt;
      }
      if (auto problem = framing_problem(parser)) {
        co_await refuse(connection, parser, client, *problem);
        co_return std::nullopt;
      }
      if (upgrade_handler && beast::websocket::is_upgrade(parser.get()) && asks_for_upgrade_path(parser.get())) {
        if (auto problem = websocket_handshake_problem(parser.get())) {
          co_await refuse(connection, parser, client, problem->error, std::move(problem->headers));
        } else if (draining) {
          const Error shutting_down{Errc::unavailable,
                                    "the server is shutting down: connect again, to another instance"};
          co_await refuse(connection, parser, client, shutting_down);
        } else {
          co_return upgrade_request(parser.release());
        }
        co_return std::nullopt;
      }
      keep_alive = co_await answer(connection, parser.get(), client);
    }
    co_return std::nullopt;
  }

  /// The request for the upgrade handler, which keeps it past this request's arena.
  static UpgradeHandler::UpgradeRequest upgrade_request(RequestMessage message) {
    UpgradeHandler::UpgradeRequest request{message.method(), message.target(), message.version()};
    for (const auto& field : message) request.insert(field.name_string(), field.value());
    request.body() = std::move(message.body());
    return request;
  }

  static bool wants_continue(const RequestMessage& head) {
    auto expect = head.find(bhttp::field::expect);
    return head.version() == 11 && expect != head.end() && beast::iequals(expect->value(), "100-continue");
  }

  bool asks_for_upgrade_path(const RequestMessage& head) const {
    auto url = parse_target(head.target());
    return url && url->path() == upgrade_path;
  }

  /// A request target in the origin form (`/path?query`) or the absolute form
  /// (`http://host/path`), which proxies send and a server must take too (RFC 9112,
  /// 3.2.2); Host names no route here, so only its path and query count.
  static boost::system::result<boost::urls::url_view> parse_target(std::string_view target) {
    auto url = boost::urls::parse_origin_form(target);
    if (url) return url;
    auto absolute = boost::urls::parse_absolute_uri(target);
    if (absolute && absolute->has_authority() &&
        (absolute->scheme_id() == boost::urls::scheme::http || absolute->scheme_id() == boost::urls::scheme::https)) {
      return absolute;
    }
    return url;  // the origin form's error
  }

  struct HandshakeProblem {
    Error error;
    std::vector<std::pair<std::string, std::string>> headers;
  };

  /// RFC 6455's checks of an opening handshake (4.2.1), made before Beast's accept so that
  /// a bad one is answered like any other bad request, in JSON, rather than in Beast's
  /// plain text.
  static std::optional<HandshakeProblem> websocket_handshake_problem(const RequestMessage& head) {
    const auto version = head.find(bhttp::field::sec_websocket_version);
    if (version == head.end() || version->value() != "13") {
      return HandshakeProblem{{Errc::upgrade_required,
                               "this server speaks WebSocket version 13 (RFC 6455): send "
                               "Sec-WebSocket-Version: 13"},
                              {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Version", "13"}}};
    }
    // The key is 16 random bytes in base64: 22 characters and "==".
    const auto key = head.find(bhttp::field::sec_websocket_key);
    const auto is_base64 = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/'; };
    if (key == head.end() || key->value().size() != 24 || !key->value().ends_with("==") ||
        !std::all_of(key->value().begin(), key->value().end() - 2, is_base64)) {
      return HandshakeProblem{
          Error::bad_request("a WebSocket handshake needs a Sec-WebSocket-Key of 16 bytes in base64"), {}};
    }
    return std::nullopt;
  }

  Error refusal(const boost::system::error_code& ec) const {
    if (ec == bhttp::error::body_limit) {
      return {Errc::payload_too_large,
              "the request body is larger than the limit of " + std::to_string(config.body_limit_bytes) + " bytes"};
    }
    if (ec == bhttp::error::header_limit) {
      return {Errc::headers_too_large,
              "the request head is larger than the limit of " + std::to_string(config.header_limit_bytes) + " bytes"};
    }
    return Error::bad_request("malformed HTTP request: " + ec.message());
  }

  /// What a parser accepts but HTTP/1.1 does not: a Transfer-Encoding that does not end
  /// in chunked (the body's end would be ambiguous: request smuggling), or no Host.
  static std::optional<Error> framing_problem(const RequestParser& parser) {
    const auto& message = parser.get();
    if (message.find(bhttp::field::transfer_encoding) != message.end() && !parser.chunked()) {
      return Error::bad_request("a Transfer-Encoding other than chunked is not accepted");
    }
    if (message.version() == 11 && message.find(bhttp::field::host) == message.end()) {
      return Error::bad_request("an HTTP/1.1 request needs a Host header");
    }
    return std::nullopt;
  }

  /// Handles one parsed request; says whether the connection stays open.
  asio::awaitable<bool> answer(Connection& connection, RequestMessage& message, const std::string& client) {
    BeastHeaders headers(message.base());
    Request request;
    request.method = parse_method(message.method_string());
    request.target = message.target();
    request.body = message.body();
    request.headers = &headers;
    request.client_address = client;
    if (config.trust_forwarded_for) {
      // nginx appends the address it saw to X-Forwarded-For: the last entry is the one
      // a client cannot forge.
      if (auto forwarded = headers.find("X-Forwarded-For")) {
        auto last = forwarded->substr(forwarded->rfind(',') == std::string_view::npos ? 0 : forwarded->rfind(',') + 1);
        while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
        if (!last.empty()) request.client_address = std::string(last);
      }
    }

    Response response;
    auto url = parse_target(request.target);
    if (url) {
      request.path = url->path();
      if (request.path.empty()) request.path = "/";  // `http://host` has the root's path
    }
    if (!url) {
      response = pipeline.reject(request, Error::bad_request("the request target is not a valid path"));
    } else if (!is_valid_utf8(request.path)) {
      request.path.clear();
      response = pipeline.reject(request, Error::bad_request("the request path is not valid UTF-8"));
    } else {
      request.query = url->encoded_query();
      // Handling takes as long as it takes (SQL, hashing); the read timeout is for the
      // client's bytes, and the write gets its own.
      connection.deadline = std::chrono::steady_clock::time_point::max();
      response = co_await pipeline.handle(request);
    }
    const bool keep_alive = message.keep_alive() && !draining;
    co_return co_await write(connection, response, message.version(), request.method == Method::head, keep_alive) &&
        keep_alive;
  }

  /// Answers a request that could not be taken (too large, malformed) and closes.
  asio::awaitable<void> refuse(Connection& connection, RequestParser& parser, const std::string& client,
                               const Error& error,
                               std::vector<std::pair<std::string, std::string>> extra_headers = {}) {
    std::optional<BeastHeaders> headers;
    Request request;
    request.client_address = client;
    if (parser.is_header_done()) {
      headers.emplace(parser.get().base());
      request.headers = &*headers;
      request.method = parse_method(parser.get().method_string());
      request.target = parser.get().target();
      request.path = request.target.substr(0, request.target.find('?'));  // for the log; not decoded
    }
    auto response = pipeline.reject(request, error);
    for (auto& [name, value] : extra_headers) response.set_header(std::move(name), std::move(value));
    if (!co_await write(connection, response, 11, false, false) || parser.is_done()) co_return;
    co_await linger(connection);
  }

  /// Reads and drops what a client still sends after its request was refused unread (a
  /// body over the limit, say), until it closes or the read timeout passes. Closing on
  /// unread bytes would reset the connection, and a client still sending would likely lose
  /// the answer with it (RFC 9112, 9.6).
  asio::awaitable<void> linger(Connection& connection) {
    if (draining) co_return;
    boost::system::error_code ignored;
    connection.socket.shutdown(tcp::socket::shutdown_send, ignored);  // the answer is all there is
    connection.expire_after(std::chrono::seconds(config.read_timeout_seconds));
    connection.idle = true;  // a drain does not wait for it
    std::vector<char> sink(16 * 1024);
    for (;;) {
      auto [ec, n] = co_await connection.socket.async_read_some(asio::buffer(sink), kUseTuple);
      if (ec) co_return;
    }
  }

  asio::awaitable<bool> write(Connection& connection, const Response& response, unsigned version, bool head_only,
                              bool keep_alive) {
    // 1xx, 204 and 304 have no body and no Content-Length.
    const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
    const auto payload = response.payload();
    std::array<std::byte, 1024> field_space;
    std::pmr::monotonic_buffer_resource field_arena(field_space.data(), field_space.size());
    bhttp::response<bhttp::span_body<const char>, ArenaFields> message{
        std::piecewise_construct, std::make_tuple(), std::make_tuple(ArenaFields::allocator_type(&field_arena))};
    message.result(static_cast<bhttp::status>(response.status));
    message.version(version);
    message.set(bhttp::field::server, "modu");
    message.set(bhttp::field::date, http_date());
    if (!response.content_type.empty() && !bodiless) message.set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) message.insert(name, value);
    message.keep_alive(keep_alive);
    if (bodiless) {
      // nothing to frame
    } else if (head_only) {
      message.content_length(payload.size());
    } else {
      message.body() = {payload.data(), payload.size()};
      message.prepare_payload();
    }
    connection.expire_after(std::chrono::seconds(config.read_timeout_seconds));
    auto [ec, n] = co_await bhttp::async_write(connection.socket, message, kUseTuple);
    co_return !ec;
  }
};

Server::Server(const ServerConfig& config, const Pipeline& pipeline, obs::Metrics& metrics)
    : impl_(std::make_unique<Impl>(config, pipeline, metrics)) {}
Server::~Server() = default;
std::uint16_t Server::listen() { return impl_->listen(); }
void Server::run() { impl_->run(); }
void Server::drain() { impl_->drain(); }
void Server::upgrade(std::string path, UpgradeHandler& handler) {
  impl_->upgrade_path = std::move(path);
  impl_->upgrade_handler = &handler;
}

}  // namespace modu::http

#pragma once

// Included only by websocket_server.cpp, the one translation unit with Beast's WebSocket.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace modu::ws {

/// The WebSocket connections of one I/O thread, and what they share there:
///
/// - **Paced writes.** At a low rate a frame goes out as soon as the handlers already
///   queued have run; once a flush has happened, the connections that get frames within
///   the next `flush_interval` are written together when it ends. Under steady traffic
///   each connection is then written at most once an interval, with everything that came
///   meanwhile in one write: a room of a thousand taking five hundred messages a second
///   costs a hundred writes a second per member instead of five hundred, for at most an
///   interval of added latency (the kernel's work per write is most of fan-out's cost).
///   Replies to a client's own frames skip the wait (the connection writes them itself).
/// - **One clock.** Once a `kTick` every connection checks its deadlines (the CONNECT
///   deadline, heart-beats both ways), instead of each keeping a timer and a wait: tens
///   of thousands of idle connections cost a walk over a vector each second.
/// - **The list of them**, for a drain.
///
/// An io_context service, so that its timers live and die with the thread's io_context.
/// `Connection` provides `flush()`, `tick(now)`, `going_away()` and a `std::size_t slot`.
/// @par Thread safety
/// None: used on its io_context's one thread.
template <class Connection>
class ThreadConnections final : public boost::asio::execution_context::service {
 public:
  using key_type = ThreadConnections;
  using Clock = std::chrono::steady_clock;
  static inline boost::asio::execution_context::id id;

  /// How often deadlines are checked: heart-beats are seconds apart, so a second late at
  /// most is well inside what either side allows.
  static constexpr std::chrono::seconds kTick{1};

  explicit ThreadConnections(boost::asio::execution_context& context)
      : boost::asio::execution_context::service(context) {}

  /// The service of the I/O thread behind `executor`.
  static ThreadConnections& of(const boost::asio::any_io_executor& executor, std::chrono::milliseconds flush_interval) {
    auto& self =
        boost::asio::use_service<ThreadConnections>(boost::asio::query(executor, boost::asio::execution::context));
    if (!self.clock_) {
      self.executor_ = executor;
      self.flush_timer_.emplace(executor);
      self.clock_.emplace(executor);
      self.flush_interval_ = flush_interval;
    }
    return self;
  }

  void add(Connection& connection) {
    connection.slot = all_.size();
    all_.push_back(&connection);
    if (all_.size() == 1) start_clock();
  }

  void remove(Connection& connection) {
    // Order does not matter: the last takes the leaving one's slot.
    auto* last = all_.back();
    last->slot = connection.slot;
    all_[connection.slot] = last;
    all_.pop_back();
  }

  /// `connection` has frames waiting and is not writing: it is flushed soon.
  void due(std::shared_ptr<Connection> connection) {
    due_.push_back(std::move(connection));
    if (pacing_ || flush_posted_) return;
    flush_posted_ = true;
    boost::asio::post(executor_, [this] {
      flush_posted_ = false;
      flush();
    });
  }

  /// The server is going away: every connection here says so and closes.
  void going_away() {
    const auto all = all_;  // a connection may leave the list as it goes
    for (auto* connection : all) connection->going_away();
  }

 private:
  void shutdown() override {
    due_.clear();
    flush_timer_.reset();
    clock_.reset();
  }

  void flush() {
    auto due = std::move(due_);
    due_.clear();
    for (auto& connection : due) connection->flush();
    pacing_ = !due.empty() && flush_interval_.count() > 0;
    if (!pacing_) return;
    flush_timer_->expires_after(flush_interval_);
    flush_timer_->async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      pacing_ = false;
      if (!due_.empty()) flush();
    });
  }

  void start_clock() {
    clock_->expires_after(kTick);
    clock_->async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      const auto now = Clock::now();
      // Backwards: a connection that stops leaves the list, and the one that takes its
      // slot has had its turn already.
      for (auto i = all_.size(); i-- > 0;) {
        if (i < all_.size()) all_[i]->tick(now);
      }
      if (!all_.empty()) start_clock();
    });
  }

  boost::asio::any_io_executor executor_;
  std::optional<boost::asio::steady_timer> flush_timer_;
  std::optional<boost::asio::steady_timer> clock_;
  std::chrono::milliseconds flush_interval_{0};
  std::vector<Connection*> all_;
  std::vector<std::shared_ptr<Connection>> due_;
  bool flush_posted_ = false;  ///< a flush is queued behind the handlers already there
  bool pacing_ = false;        ///< a flush happened less than an interval ago
};

}  // namespace modu::ws

#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <type_traits>

namespace modu {

/// A fixed set of threads for blocking work (SQL, password hashing, image decoding),
/// so that an I/O thread never blocks. A coroutine hops onto the pool, runs the
/// work, and hops back to the executor it came from.
/// @par Thread safety
/// `run()` may be awaited from any executor concurrently.
class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads) : pool_(threads) {}
  ~WorkerPool() { stop(); }

  /// Runs `work()` on a pool thread; its result (or exception) comes back to the caller.
  template <class Work>
  auto run(Work work) -> boost::asio::awaitable<std::invoke_result_t<Work>> {
    using T = std::invoke_result_t<Work>;
    auto home = co_await boost::asio::this_coro::executor;
    // The completion token must be bound to the pool: `post(pool, use_awaitable)` alone
    // would resume the coroutine through its own executor, back on the I/O thread.
    co_await boost::asio::post(boost::asio::bind_executor(pool_.get_executor(), boost::asio::use_awaitable));
    std::exception_ptr failure;
    if constexpr (std::is_void_v<T>) {
      try {
        work();
      } catch (...) {
        failure = std::current_exception();
      }
      co_await boost::asio::post(boost::asio::bind_executor(home, boost::asio::use_awaitable));
      if (failure) std::rethrow_exception(failure);
    } else {
      std::optional<T> result;
      try {
        result.emplace(work());
      } catch (...) {
        failure = std::current_exception();
      }
      co_await boost::asio::post(boost::asio::bind_executor(home, boost::asio::use_awaitable));
      if (failure) std::rethrow_exception(failure);
      co_return std::move(*result);
    }
  }

  /// Runs `work()` on a pool thread, without waiting for it.
  template <class Work>
  void post(Work work) {
    boost::asio::post(pool_, std::move(work));
  }

  /// Work posted through one strand runs one job at a time, in the order posted, on
  /// whichever pool thread is free.
  using Strand = boost::asio::strand<boost::asio::thread_pool::executor_type>;
  Strand make_strand() { return boost::asio::make_strand(pool_.get_executor()); }

  /// Runs `work()` on a pool thread after the work posted through `strand` before it.
  template <class Work>
  void post(Strand& strand, Work work) {
    boost::asio::post(strand, std::move(work));
  }

  /// Finishes queued work and joins the threads.
  void stop() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace modu

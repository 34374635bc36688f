#include "core/worker_pool.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <thread>

namespace modu {
namespace {

TEST(WorkerPool, RunsWorkOnAPoolThreadAndResumesOnTheCallersThread) {
  WorkerPool pool(2);
  boost::asio::io_context io;
  std::thread::id work_thread, after_thread;
  auto task = [&]() -> boost::asio::awaitable<int> {
    const int answer = co_await pool.run([&] {
      work_thread = std::this_thread::get_id();
      return 42;
    });
    after_thread = std::this_thread::get_id();
    co_return answer;
  };
  auto result = boost::asio::co_spawn(io, task(), boost::asio::use_future);
  io.run();  // on this thread: the I/O thread of the test
  EXPECT_EQ(result.get(), 42);
  EXPECT_NE(work_thread, std::this_thread::get_id());
  EXPECT_EQ(after_thread, std::this_thread::get_id());
}

TEST(WorkerPool, AnExceptionComesBackToTheCaller) {
  WorkerPool pool(1);
  boost::asio::io_context io;
  auto task = [&]() -> boost::asio::awaitable<void> {
    co_await pool.run([]() -> int { throw std::runtime_error("broken"); });
  };
  auto result = boost::asio::co_spawn(io, task(), boost::asio::use_future);
  io.run();
  EXPECT_THROW(result.get(), std::runtime_error);
}

}  // namespace
}  // namespace modu

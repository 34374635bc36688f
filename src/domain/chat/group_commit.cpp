#include "domain/chat/group_commit.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace modu::chat {

boost::asio::awaitable<Result<Message>> GroupCommit::append(NewMessage message) {
  co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result<Message>)>(
      [this](auto handler, NewMessage message) {
        boost::asio::any_io_executor home = boost::asio::get_associated_executor(handler);
        enqueue({std::move(message), std::move(handler), std::move(home)});
      },
      boost::asio::use_awaitable, std::move(message));
}

void GroupCommit::enqueue(Pending pending) {
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(pending));
    start = !std::exchange(committing_, true);
  }
  if (start) workers_.post([this] { commit_while_queued(); });
}

void GroupCommit::commit_while_queued() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) {
        committing_ = false;
        return;
      }
      const auto take = std::min(max_batch_, queue_.size());
      for (std::size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<NewMessage> messages;
    messages.reserve(batch.size());
    for (auto& pending : batch) messages.push_back(std::move(pending.message));

    std::vector<Result<Message>> results;
    try {
      results = messages_.append_batch(messages, clock_.now());
    } catch (const std::exception& e) {
      spdlog::error("storing {} messages failed: {}", messages.size(), e.what());
      results.assign(batch.size(), Error{Errc::unavailable, "the message could not be stored; send it again"});
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      // The handler resumes its coroutine on the sender's own executor, not here.
      boost::asio::post(batch[i].home, [done = std::move(batch[i].done), result = std::move(results[i])]() mutable {
        std::move(done)(std::move(result));
      });
    }
  }
}

}  // namespace modu::chat

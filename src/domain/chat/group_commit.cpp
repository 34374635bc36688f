#include "domain/chat/group_commit.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace modu::chat {

boost::asio::awaitable<Result<CountedMessage>> GroupCommit::append(NewMessage message) {
  co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result<CountedMessage>)>(
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

    std::vector<Result<Appended>> stored;
    try {
      stored = messages_.append_batch(messages, clock_.now(), admit_);
    } catch (const std::exception& e) {
      spdlog::error("storing {} messages failed: {}", messages.size(), e.what());
      stored.assign(batch.size(), Error{Errc::unavailable, "the message could not be stored; send it again"});
    }
    std::vector<Result<CountedMessage>> results;
    results.reserve(batch.size());
    for (auto& appended : stored) {
      if (!appended) {
        results.emplace_back(appended.error());
        continue;
      }
      // A repeat (a retried send) answers its sender again; the room heard it the first time.
      if (!appended->repeat) {
        // Back in the room first: the message is then news on their own queue too.
        if (appended->brought_back) {
          publisher_.joined(appended->message.room, *appended->brought_back, *appended->message.sender);
        }
        publisher_.message_stored({appended->message, appended->unread_member_count});
        unread_news_.message_stored(appended->message);
      }
      results.emplace_back(CountedMessage{std::move(appended->message), appended->unread_member_count});
    }
    answer(std::move(batch), std::move(results));
  }
}

void GroupCommit::answer(std::vector<Pending> batch, std::vector<Result<CountedMessage>> results) {
  // Each sender resumes on its own executor, not here. One hand-off per executor (an I/O
  // thread) serves all of its senders in the batch: waking a thread per message cost more
  // than storing the message.
  struct Answers {
    boost::asio::any_io_executor home;
    std::vector<std::pair<Pending, Result<CountedMessage>>> answers;
  };
  std::vector<Answers> by_home;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto group =
        std::find_if(by_home.begin(), by_home.end(), [&](const Answers& a) { return a.home == batch[i].home; });
    if (group == by_home.end()) group = by_home.insert(by_home.end(), Answers{batch[i].home, {}});
    group->answers.emplace_back(std::move(batch[i]), std::move(results[i]));
  }
  for (auto& group : by_home) {
    boost::asio::post(group.home, [answers = std::move(group.answers)]() mutable {
      for (auto& [pending, result] : answers) std::move(pending.done)(std::move(result));
    });
  }
}

}  // namespace modu::chat

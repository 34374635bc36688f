#pragma once

#include "core/clock.hpp"
#include "core/worker_pool.hpp"
#include "domain/chat/message_repository.hpp"
#include "domain/events/publisher.hpp"
#include "domain/room/unread_news.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>

#include <deque>
#include <mutex>
#include <vector>

namespace modu::chat {

/// The write path for messages: senders share transactions. A send waits in a queue;
/// one committer on the worker pool takes everything queued (up to `max_batch`), stores
/// it in one transaction, answers every sender, and goes again while the queue is not
/// empty. Who sends is checked by `admit` in that same transaction. Newly stored messages
/// go to the publisher from the one committer, in seq order (a retried send is answered
/// with its first message, which is not published again). A send completes only once its
/// message is durable, and the cost of a commit (an fsync) is spread over all the senders
/// waiting for it, so throughput grows with concurrency.
/// @par Thread safety
/// `append` may be awaited from any executor concurrently.
/// @par Lifetime
/// The committer runs on the worker pool: stop the pool before destroying this.
class GroupCommit {
 public:
  GroupCommit(MessageRepository& messages, WorkerPool& workers, const Clock& clock, std::size_t max_batch,
              Admission admit, events::Publisher& publisher, room::UnreadNews& unread_news)
      : messages_(messages),
        workers_(workers),
        clock_(clock),
        max_batch_(max_batch),
        admit_(std::move(admit)),
        publisher_(publisher),
        unread_news_(unread_news) {}

  /// Stores one message; resumes on the caller's executor with the stored message.
  boost::asio::awaitable<Result<CountedMessage>> append(NewMessage message);

 private:
  struct Pending {
    NewMessage message;
    boost::asio::any_completion_handler<void(Result<CountedMessage>)> done;
    boost::asio::any_io_executor home;  ///< where the sender resumes
  };

  void enqueue(Pending pending);
  /// Runs on the worker pool while there is work.
  void commit_while_queued();
  /// Hands every sender of a batch its result.
  static void answer(std::vector<Pending> batch, std::vector<Result<CountedMessage>> results);

  MessageRepository& messages_;
  WorkerPool& workers_;
  const Clock& clock_;
  const std::size_t max_batch_;
  const Admission admit_;
  events::Publisher& publisher_;
  room::UnreadNews& unread_news_;
  std::mutex mutex_;
  std::deque<Pending> queue_;
  bool committing_ = false;
};

}  // namespace modu::chat

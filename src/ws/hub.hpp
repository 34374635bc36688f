#pragma once

#include "bus/event_bus.hpp"
#include "core/ids.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace modu::ws {

/// A live connection as the hub sees it: something that takes encoded frames.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  /// Queues bytes (whole STOMP frames) for the connection; called on its own thread.
  virtual void deliver(const std::shared_ptr<const std::string>& frames) = 0;
  /// An event about the connection's member that changes the connection itself (they
  /// left a room, their session was revoked), whether or not it subscribed to their
  /// queue. Never unsubscribes or closes synchronously from inside `deliver`.
  virtual void control(const bus::Event& event) = 0;
};

/// Who is subscribed to what on this instance, and the fan-out of events to them.
///
/// The registry is sharded by I/O thread: a connection registers on the shard of the
/// thread it lives on, and an event is handed to each shard once, which delivers it to
/// its own subscribers without a lock. A MESSAGE frame is encoded once per subscription
/// id (clients mostly use the same few ids) and the same bytes go to every subscriber.
/// @par Thread safety
/// `publish` from any thread. `subscribe`/`unsubscribe` on the subscriber's own thread,
/// through the shard it was given.
class Hub {
 public:
  class Shard;

  /// The shard for connections living on `executor` (an I/O thread's).
  Shard& shard_for(const boost::asio::any_io_executor& executor);

  /// Delivers the event to every subscriber of its channel, on their threads.
  void publish(const bus::Event& event);

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

/// The subscriptions of the connections on one I/O thread.
class Hub::Shard {
 public:
  explicit Shard(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  /// The connection speaks for `member` (after CONNECT): it hears that member's control events.
  void attach(MemberId member, Subscriber& subscriber);
  /// `member`: who the connection speaks for. `acks`: the subscription asked for
  /// `ack:client` or `client-individual`, so its MESSAGE frames carry an `ack` header
  /// (STOMP 1.2 requires one then).
  void subscribe(const bus::Channel& channel, Subscriber& subscriber, MemberId member, std::string_view subscription_id,
                 bool acks);
  void unsubscribe(const bus::Channel& channel, Subscriber& subscriber, std::string_view subscription_id);
  /// Drops a connection that closes: its attachment to `member`, and its subscriptions,
  /// which are on `channels` (the connection knows them; the shard does not keep a second
  /// list of them per connection).
  void forget(Subscriber& subscriber, std::optional<MemberId> member, const std::vector<bus::Channel>& channels);

  const boost::asio::any_io_executor& executor() const { return executor_; }
  std::size_t size() const { return size_.load(std::memory_order_relaxed); }
  /// Whether any event could matter here: a subscription or an attached connection.
  bool listening() const { return size() > 0 || attached_.load(std::memory_order_relaxed) > 0; }

 private:
  friend class Hub;
  void deliver(const bus::Event& event);

  struct Entry {
    Subscriber* subscriber;
    MemberId member;
    std::string subscription_id;
    bool acks;
  };
  struct ChannelHash {
    std::size_t operator()(const bus::Channel& channel) const {
      return std::hash<std::int64_t>()(channel.id * 2 + (channel.kind == bus::Channel::Kind::room ? 0 : 1));
    }
  };

  boost::asio::any_io_executor executor_;
  std::unordered_map<bus::Channel, std::vector<Entry>, ChannelHash> by_channel_;
  std::unordered_map<std::int64_t, std::vector<Subscriber*>> by_member_;
  std::atomic<std::size_t> size_{0};
  std::atomic<std::size_t> attached_{0};
};

/// The STOMP destination a channel's events are delivered under.
std::string destination_of(const bus::Channel& channel);

}  // namespace modu::ws

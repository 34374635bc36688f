#include "ws/hub.hpp"

#include "core/unique_ids.hpp"
#include "ws/stomp/encoder.hpp"

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace modu::ws {

std::string destination_of(const bus::Channel& channel) {
  return channel.kind == bus::Channel::Kind::room ? fmt::format("/topic/rooms/{}", channel.id)
                                                  : std::string("/user/queue/events");
}

Hub::Shard& Hub::shard_for(const boost::asio::any_io_executor& executor) {
  std::lock_guard lock(mutex_);
  for (auto& shard : shards_) {
    if (shard->executor() == executor) return *shard;
  }
  return *shards_.emplace_back(std::make_unique<Shard>(executor));
}

void Hub::publish(const bus::Event& event) {
  std::vector<Shard*> shards;
  {
    std::lock_guard lock(mutex_);
    shards.reserve(shards_.size());
    for (auto& shard : shards_) shards.push_back(shard.get());
  }
  for (auto* shard : shards) {
    if (!shard->listening()) continue;
    boost::asio::post(shard->executor(), [shard, event] { shard->deliver(event); });
  }
}

void Hub::Shard::attach(MemberId member, Subscriber& subscriber) {
  by_member_[member.value()].push_back(&subscriber);
  attached_.fetch_add(1, std::memory_order_relaxed);
}

void Hub::Shard::subscribe(const bus::Channel& channel, Subscriber& subscriber, MemberId member,
                           std::string_view subscription_id, bool acks) {
  by_channel_[channel].push_back({&subscriber, member, std::string(subscription_id), acks});
  size_.fetch_add(1, std::memory_order_relaxed);
}

void Hub::Shard::unsubscribe(const bus::Channel& channel, Subscriber& subscriber, std::string_view subscription_id) {
  auto found = by_channel_.find(channel);
  if (found == by_channel_.end()) return;
  auto& entries = found->second;
  auto entry = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) {
    return e.subscriber == &subscriber && e.subscription_id == subscription_id;
  });
  if (entry == entries.end()) return;
  // Order among a channel's subscribers does not matter: swap with the last, pop.
  std::swap(*entry, entries.back());
  entries.pop_back();
  if (entries.empty()) by_channel_.erase(found);
  size_.fetch_sub(1, std::memory_order_relaxed);
}

void Hub::Shard::forget(Subscriber& subscriber, std::optional<MemberId> member,
                        const std::vector<bus::Channel>& channels) {
  if (member) {
    if (auto sessions = by_member_.find(member->value()); sessions != by_member_.end()) {
      const auto before = sessions->second.size();
      std::erase(sessions->second, &subscriber);
      attached_.fetch_sub(before - sessions->second.size(), std::memory_order_relaxed);
      if (sessions->second.empty()) by_member_.erase(sessions);
    }
  }
  for (const auto& channel : channels) {
    auto entries = by_channel_.find(channel);
    if (entries == by_channel_.end()) continue;  // a second subscription to it, already gone
    auto& list = entries->second;
    const auto before = list.size();
    std::erase_if(list, [&](const Entry& e) { return e.subscriber == &subscriber; });
    size_.fetch_sub(before - list.size(), std::memory_order_relaxed);
    if (list.empty()) by_channel_.erase(entries);
  }
}

void Hub::Shard::deliver(const bus::Event& event) {
  if (event.channel.kind == bus::Channel::Kind::member && (event.type == "left" || event.type == "revoked")) {
    if (auto sessions = by_member_.find(event.channel.id); sessions != by_member_.end()) {
      const auto copy = sessions->second;  // a control may unsubscribe, which touches the maps
      for (auto* subscriber : copy) subscriber->control(event);
    }
  }
  auto found = by_channel_.find(event.channel);
  if (found == by_channel_.end()) return;
  const auto destination = destination_of(event.channel);
  const auto message_id = unique_id();
  // One encoding per subscription id (and acknowledgment mode), shared by every
  // subscriber that used that id.
  struct Encoded {
    std::string_view subscription_id;
    bool acks;
    std::shared_ptr<const std::string> frame;
  };
  std::vector<Encoded> encoded;
  for (const auto& entry : found->second) {
    if (event.not_for == entry.member.value()) continue;
    auto same = std::find_if(encoded.begin(), encoded.end(), [&](const Encoded& e) {
      return e.subscription_id == entry.subscription_id && e.acks == entry.acks;
    });
    if (same == encoded.end()) {
      stomp::Frame frame{stomp::Command::message,
                         {{"destination", destination},
                          {"subscription", entry.subscription_id},
                          {"message-id", message_id},
                          {"event", event.type},
                          {"content-type", "application/json"}},
                         *event.body};
      // Any ACK is taken (what was committed is in the database); the header is the
      // message's id, for the client to send back.
      if (entry.acks) frame.headers.emplace_back("ack", message_id);
      same = encoded.insert(encoded.end(), {entry.subscription_id, entry.acks,
                                            std::make_shared<const std::string>(stomp::encode(frame))});
    }
    // A subscriber never unsubscribes inside `deliver` (it defers closing), so the list
    // stays valid while it is walked.
    entry.subscriber->deliver(same->frame);
  }
}

}  // namespace modu::ws

#include "ws/live_events.hpp"

#include "api/views.hpp"

#include <boost/json/serialize.hpp>

namespace modu::ws {

void LiveEvents::message_stored(const chat::Message& message) {
  auto body = std::make_shared<const std::string>(boost::json::serialize(api::message_json(message)));
  bus_.publish({{bus::Channel::Kind::room, message.room.value()}, "message", std::move(body)});
}

}  // namespace modu::ws

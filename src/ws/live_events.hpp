#pragma once

#include "bus/event_bus.hpp"
#include "domain/events/publisher.hpp"

namespace modu::ws {

/// The domain's events as the live world reads them: serialized once to the same JSON
/// as the REST API, then put on the bus.
class LiveEvents final : public events::Publisher {
 public:
  explicit LiveEvents(bus::EventBus& bus) : bus_(bus) {}

  void message_stored(const chat::Message& message) override;

 private:
  bus::EventBus& bus_;
};

}  // namespace modu::ws

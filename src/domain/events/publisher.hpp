#pragma once

#include "domain/chat/message.hpp"

namespace modu::events {

/// What the domain tells the live world once a change is committed. The real-time layer
/// implements it and delivers to whoever is connected, on this instance or another.
/// Calls never block and never undo the change they report: a live view that missed an
/// event catches up from the database (`after=seq`).
/// @par Thread safety
/// Called from any thread.
class Publisher {
 public:
  virtual ~Publisher() = default;

  /// A message was stored: everyone watching its room sees it.
  virtual void message_stored(const chat::Message& message) = 0;
};

/// For a process with nobody connected live (tools, tests of the REST API alone).
class NoPublisher final : public Publisher {
 public:
  void message_stored(const chat::Message&) override {}
};

}  // namespace modu::events

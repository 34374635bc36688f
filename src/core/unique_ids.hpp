#pragma once

#include <string>

namespace modu {

/// A new id, unique across threads, restarts and instances without a shared counter:
/// 96 random bits in hex ("3f0c9a1e5b7d24686d01c2ab"). Random rather than counted, so
/// that the ids someone is handed (request ids, STOMP message ids) do not tell them how
/// many others were handed out in between. Two ids meet by chance once in about 2^48.
/// @par Thread safety
/// Safe from any thread.
std::string unique_id();

}  // namespace modu

#pragma once

#include <cstdint>
#include <functional>

namespace modu {

/// An integer id that only compares with ids of its own kind, so that a room id never
/// passes for a member id.
template <class Tag>
class Id {
 public:
  constexpr Id() = default;
  constexpr explicit Id(std::int64_t value) : value_(value) {}
  constexpr std::int64_t value() const { return value_; }
  constexpr bool valid() const { return value_ > 0; }
  friend constexpr auto operator<=>(Id, Id) = default;

 private:
  std::int64_t value_ = 0;
};

using MemberId = Id<struct MemberTag>;
using RoomId = Id<struct RoomTag>;
using MessageId = Id<struct MessageTag>;

}  // namespace modu

template <class Tag>
struct std::hash<modu::Id<Tag>> {
  std::size_t operator()(modu::Id<Tag> id) const noexcept { return std::hash<std::int64_t>{}(id.value()); }
};

#pragma once

#include "core/ids.hpp"

namespace modu::friends {

/// Told when a member blocks or unblocks another, once the change is stored. What the
/// other member sees of them live depends on it: presence listens, so that a page left
/// open does not keep showing what a block now hides.
/// @par Thread safety
/// Called from the worker pool; must not block.
class BlockListener {
 public:
  virtual ~BlockListener() = default;

  /// `member` has now blocked `other` (`blocked`), or no longer has.
  virtual void block_changed(MemberId member, MemberId other, bool blocked) = 0;
};

}  // namespace modu::friends

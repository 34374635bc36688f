#pragma once

#include <optional>
#include <vector>

namespace modu {

/// A page of a listing, and where the next one starts (none on the last page).
template <class Item, class Cursor>
struct Page {
  std::vector<Item> items;
  std::optional<Cursor> next;
};

}  // namespace modu

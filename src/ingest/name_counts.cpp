#include "ingest/name_counts.hpp"

#include <climits>
#include <cstdint>

#include "util/byte_order.hpp"
#include "util/hash.hpp"

namespace lfp {

std::vector<NameCount> count_names(std::span<const RowView> rows) {
  // Open addressing on the name hash: one pass, no sort; ranks re-sort after the shuffle.
  // Slots keep 32 bits of the hash so that probing rarely touches the names themselves.
  struct Slot {
    std::uint32_t index = UINT32_MAX, tag = 0;
  };
  std::size_t capacity = 16;
  while (capacity < rows.size() * 2) capacity <<= 1;
  std::vector<Slot> slots(capacity);
  std::vector<NameCount> out;
  for (const auto& r : rows) {
    const std::uint64_t h = hash_bytes(r.name, kNameSeed);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    std::size_t i = h & (capacity - 1);
    while (slots[i].index != UINT32_MAX && (slots[i].tag != tag || out[slots[i].index].name != r.name))
      i = (i + 1) & (capacity - 1);
    if (slots[i].index == UINT32_MAX) {
      slots[i] = {static_cast<std::uint32_t>(out.size()), tag};
      out.push_back({r.name, 0});
    }
    ++out[slots[i].index].products;
  }
  return out;
}

std::vector<NameCount> sum_counts(std::vector<NameCount> partials) {
  const auto keys = sort_by_string(
      partials.size(), [&](std::uint32_t i) { return partials[i].name; }, [](std::uint32_t, std::uint32_t) { return false; });
  std::vector<NameCount> out;
  for (const auto& k : keys) {
    const auto& c = partials[k.index];
    if (!out.empty() && out.back().name == c.name)
      out.back().products += c.products;
    else
      out.push_back(c);
  }
  return out;
}

}  // namespace lfp

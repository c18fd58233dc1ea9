#include "name_counts.hpp"

#include <algorithm>

#include "byte_order.hpp"
#include "hash.hpp"

namespace lfp {

std::vector<NameCount> count_names(std::span<const RowView> rows) {
  // Open addressing on the name hash: one pass, no sort; ranks re-sort after the shuffle.
  std::size_t capacity = 16;
  while (capacity < rows.size() * 2) capacity <<= 1;
  std::vector<std::int32_t> slots(capacity, -1);
  std::vector<NameCount> out;
  for (const auto& r : rows) {
    std::size_t i = hash_bytes(r.name, kNameSeed) & (capacity - 1);
    while (slots[i] >= 0 && out[slots[i]].name != r.name) i = (i + 1) & (capacity - 1);
    if (slots[i] < 0) {
      slots[i] = static_cast<std::int32_t>(out.size());
      out.push_back({r.name, 0});
    }
    ++out[slots[i]].products;
  }
  return out;
}

std::vector<NameCount> sum_counts(std::vector<NameCount> partials) {
  std::vector<std::uint64_t> prefixes(partials.size());
  std::vector<std::uint32_t> order(partials.size());
  for (std::uint32_t i = 0; i < partials.size(); ++i) {
    prefixes[i] = prefix_key(partials[i].name);
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return prefix_less(prefixes[a], partials[a].name, prefixes[b], partials[b].name);
  });
  std::vector<NameCount> out;
  for (const auto i : order) {
    const auto& c = partials[i];
    if (!out.empty() && out.back().name == c.name)
      out.back().products += c.products;
    else
      out.push_back(c);
  }
  return out;
}

}  // namespace lfp
